import Foundation
import SnipModel

/// The shared board of an in-process "group": N threads stand in for N MPI processes, so the
/// data-parallel trainer can be tested without MPI. Every collective is one exchange: each
/// rank posts its bytes, the last to arrive publishes all of them, and everyone reads them.
final class ThreadBoard: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var posted: [[UInt8]?]
    private var published: [[UInt8]] = []
    private var arrived = 0
    private var generation = 0

    init(size: Int) {
        self.size = size
        posted = Array(repeating: nil, count: size)
    }

    /// Every rank's bytes, in rank order, once all ranks have posted theirs.
    func exchange(rank: Int, _ bytes: [UInt8]) -> [[UInt8]] {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        posted[rank] = bytes
        arrived += 1
        if arrived == size {
            published = posted.map { $0! }
            posted = Array(repeating: nil, count: size)
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        return published
    }

    /// The groups of ranks 0..<size.
    func ranks() -> [ThreadRank] { (0..<size).map { ThreadRank(rank: $0, board: self) } }
}

/// One rank of a ``ThreadBoard``; sums in rank order, so every rank gets the same bits.
final class ThreadRank: ProcessGroup, @unchecked Sendable {
    let rank: Int
    let board: ThreadBoard
    var size: Int { board.size }

    init(rank: Int, board: ThreadBoard) {
        self.rank = rank
        self.board = board
    }

    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {
        let all = board.exchange(rank: rank, Array(UnsafeRawBufferPointer(values)))
        for k in 0..<values.count { values[k] = 0 }
        for bytes in all {
            bytes.withUnsafeBytes { raw in
                let other = raw.bindMemory(to: Float.self)
                for k in 0..<values.count { values[k] += other[k] }
            }
        }
    }

    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) {
        let all = board.exchange(rank: rank, Array(UnsafeRawBufferPointer(values)))
        for k in 0..<values.count { values[k] = 0 }
        for bytes in all {
            bytes.withUnsafeBytes { raw in
                let other = raw.bindMemory(to: Double.self)
                for k in 0..<values.count { values[k] += other[k] }
            }
        }
    }

    func allGather(_ local: UnsafeRawBufferPointer, counts: [Int], into result: UnsafeMutableRawBufferPointer) {
        let all = board.exchange(rank: rank, Array(local))
        precondition(all.map(\.count) == counts, "allGather: ranks sent \(all.map(\.count)), expected \(counts)")
        let gathered = all.flatMap { $0 }
        precondition(gathered.count == result.count, "allGather: \(gathered.count) bytes for \(result.count)")
        gathered.withUnsafeBytes { result.copyMemory(from: $0) }
    }

    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {
        let all = board.exchange(rank: rank, Array(UnsafeRawBufferPointer(buffer)))
        all[root].withUnsafeBytes { buffer.copyMemory(from: $0) }
    }

    func abort(_ message: String, code: Int32) { fatalError("rank \(rank): \(message)") }
}

/// Runs `body(rank)` on one thread per rank and returns the results in rank order.
func onThreads<T>(_ ranks: [ThreadRank], _ body: @escaping @Sendable (ThreadRank) throws -> T) throws -> [T] {
    let results = ResultBox<T>(count: ranks.count)
    let threads = ranks.map { rank in
        Thread {
            results.set(rank.rank, Result { try body(rank) })
        }
    }
    for t in threads {
        t.stackSize = 8 << 20
        t.start()
    }
    return try results.wait().map { try $0.get() }
}

private final class ResultBox<T>: @unchecked Sendable {
    private let condition = NSCondition()
    private var values: [Result<T, Error>?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result<T, Error>) {
        condition.lock()
        values[index] = value
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> [Result<T, Error>] {
        condition.lock()
        defer { condition.unlock() }
        while values.contains(where: { $0 == nil }) { condition.wait() }
        return values.map { $0! }
    }
}
