import Foundation

/// Prepares the next batches on a background thread while the current step computes.
///
/// `produce(step)` runs in step order on one background thread, at most `depth` steps ahead;
/// `next()` returns the results in order. Deterministic: the result for a step does not depend
/// on timing.
final class Prefetcher<Value: Sendable>: @unchecked Sendable {
    private let produce: @Sendable (Int) throws -> Value
    private let condition = NSCondition()
    private var ready: [Int: Result<Value, Error>] = [:]
    private var nextToProduce: Int
    private var nextToTake: Int
    private let depth: Int
    private var stopped = false
    /// Whether the background thread is (or will be) inside `work()`.
    private var working = true
    private var thread: Thread?

    init(startingAt step: Int, depth: Int = 2, produce: @escaping @Sendable (Int) throws -> Value) {
        self.produce = produce
        self.nextToProduce = step
        self.nextToTake = step
        self.depth = depth
        let thread = Thread { [weak self] in self?.work() }
        thread.name = "snip-prefetch"
        self.thread = thread
        thread.start()
    }

    private func work() {
        defer {
            condition.lock()
            working = false
            condition.broadcast()
            condition.unlock()
        }
        while true {
            condition.lock()
            while !stopped && nextToProduce - nextToTake >= depth { condition.wait() }
            if stopped { condition.unlock(); return }
            let step = nextToProduce
            condition.unlock()
            let result = Result { try produce(step) }
            condition.lock()
            ready[step] = result
            nextToProduce += 1
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The value of the next step, waiting for it when needed.
    func next() throws -> Value {
        condition.lock()
        defer { condition.unlock() }
        while ready[nextToTake] == nil { condition.wait() }
        let result = ready.removeValue(forKey: nextToTake)!
        nextToTake += 1
        condition.broadcast()
        return try result.get()
    }

    /// Stops the background thread and waits until it has left its current step (pending
    /// results are dropped), so nothing is generated behind the caller's back afterwards.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while working { condition.wait() }
        condition.unlock()
    }

    /// Only asks the thread to stop: a prefetcher is freed only when its thread no longer runs
    /// `work()` (the thread holds it meanwhile), possibly without ever having entered it.
    deinit {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
