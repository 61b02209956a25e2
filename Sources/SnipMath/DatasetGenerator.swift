import Foundation

/// A reproducible stream of generated samples: sample i of seed s is drawn from its own
/// random state, numpy's `RandomState([s, i])`, so any sample can be made alone, in any order,
/// on any thread, and a file is the same whatever the thread count.
///
/// For dimension 1 sample i is exactly the reference's `env.gen_expr(train=True)` after
/// `env.rng = np.random.RandomState([s, i])` (see ``ExpressionGenerator``). Property targets are
/// computed on the sample's points after it is accepted, as the reference's
/// `generate_sample` does; `ncr` draws its 1000 triples from the same per-sample state (the
/// reference uses the unseeded global numpy state there, so its values are not reproducible).
public struct DatasetGenerator: Sendable {
    /// The expression generator.
    public var generator: ExpressionGenerator
    /// The seed (the first word of every sample's random state).
    public var seed: UInt32
    /// The property written as `target_property`, if any (one-dimensional samples only).
    public var property: FunctionProperty?
    /// Compute `ncr` over all triples instead of the reference's 1000-triple estimate.
    public var exactNCR: Bool
    /// Write the skeleton (constants as `CONSTANT`) as the sample's `tree`.
    public var skeletonTrees: Bool

    /// A dataset of `generator`'s samples for `seed`.
    public init(
        generator: ExpressionGenerator, seed: UInt32, property: FunctionProperty? = nil,
        exactNCR: Bool = false, skeletonTrees: Bool = false
    ) {
        precondition(
            property == nil || generator.configuration.maxInputDimension == 1,
            "properties are defined for one-dimensional functions")
        self.generator = generator
        self.seed = seed
        self.property = property
        self.exactNCR = exactNCR
        self.skeletonTrees = skeletonTrees
    }

    /// The random state of sample `index` (`np.random.RandomState([seed, index])`).
    public func randomState(at index: Int) -> NumpyLegacyRandom {
        precondition(index >= 0 && index <= Int(UInt32.max), "sample index out of range")
        return NumpyLegacyRandom(key: [seed, UInt32(index)])
    }

    /// Sample `index` with its rejected attempts.
    public func generatedSample(at index: Int) -> GeneratedSample {
        let (accepted, rejections, unaryCount, target) = acceptedAttempt(at: index)
        var sample = accepted.sample
        sample.targetProperty = target
        if skeletonTrees { sample.tree = sample.tree.skeleton }
        return GeneratedSample(
            sample: sample, rejections: rejections, drawnBinaryOperators: accepted.binaryCount,
            drawnUnaryOperators: unaryCount)
    }

    /// Sample `index`.
    public func sample(at index: Int) -> Sample { generatedSample(at: index).sample }

    /// Sample `index` as drawn (points as columns), with its property target.
    func acceptedAttempt(at index: Int)
        -> (AcceptedAttempt, [GenerationRejection], Int, Double?)
    {
        var random = randomState(at: index)
        let (accepted, rejections, unaryCount) = generator.generateAccepted(from: &random)
        let target = property.map {
            $0.value(x: accepted.columns[0], y: accepted.y, exactNCR: exactNCR, random: &random)
        }
        return (accepted, rejections, unaryCount, target)
    }

    /// Appends sample `index`'s `data.prefix` line and a newline to `buffer`.
    func appendLine(at index: Int, to buffer: ByteBuffer) {
        let (accepted, _, _, target) = acceptedAttempt(at: index)
        accepted.appendDataPrefixLine(
            to: buffer, precision: generator.configuration.floatPrecision,
            targetProperty: target, skeletonTree: skeletonTrees)
        buffer.append(UInt8(ascii: "\n"))
    }

    /// The `data.prefix` lines of samples `range`, each ending in a newline.
    public func lines(_ range: Range<Int>) -> [UInt8] {
        let buffer = ByteBuffer()
        for i in range { appendLine(at: i, to: buffer) }
        return Array(buffer.bytes)
    }

    /// Writes samples `0..<count` as `data.prefix` lines, in order, through `sink`, making them
    /// on `threads` threads in blocks; `progress` hears the number of samples written after
    /// each batch of blocks (on the calling thread). The bytes do not depend on `threads`.
    public func write(
        count: Int, threads: Int, sink: (UnsafeRawBufferPointer) throws -> Void,
        progress: (Int) -> Void = { _ in }
    ) rethrows {
        precondition(count >= 0 && count <= Int(UInt32.max) + 1, "sample count out of range")
        let threads = Swift.max(1, threads)
        // Small blocks keep the threads evenly loaded; a batch is what is held in memory.
        let blockSize = 16
        let blocksPerBatch = threads == 1 ? 1 : 8 * threads
        let buffers = (0..<blocksPerBatch).map { _ in ByteBuffer() }
        var written = 0
        while written < count {
            let batchStart = written
            let batchEnd = Swift.min(count, batchStart + blocksPerBatch * blockSize)
            let blocks = (batchEnd - batchStart + blockSize - 1) / blockSize
            let shared = UnsafeSendable(buffers)
            let fill: @Sendable (Int) -> Void = { b in
                let start = batchStart + b * blockSize
                let end = Swift.min(batchEnd, start + blockSize)
                let buffer = shared.value[b]
                buffer.removeAll()
                for i in start..<end { appendLine(at: i, to: buffer) }
            }
            if threads == 1 || blocks == 1 {
                for b in 0..<blocks { fill(b) }
            } else {
                let next = BlockCounter()
                DispatchQueue.concurrentPerform(iterations: Swift.min(threads, blocks)) { _ in
                    while let b = next.take(below: blocks) { fill(b) }
                }
            }
            for b in 0..<blocks { try sink(buffers[b].bytes) }
            written = batchEnd
            progress(written)
        }
    }
}

/// Carries buffers into the worker threads; each buffer is filled by one thread at a time.
private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Hands out block numbers 0, 1, 2, … to worker threads.
private final class BlockCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < limit else { return nil }
        next += 1
        return next - 1
    }
}
