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

    /// The random states of samples `range`, ``randomState(at:)`` for each, seeded four at a
    /// time.
    func randomStates(_ range: Range<Int>) -> [NumpyLegacyRandom] {
        precondition(
            range.lowerBound >= 0 && range.upperBound <= Int(UInt32.max) + 1,
            "sample index out of range")
        return NumpyLegacyRandom.states(keys: range.map { [seed, UInt32($0)] })
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
    /// Without `exactRejections` the rejections' reasons may differ (see
    /// ``ExpressionGenerator/generateAccepted(from:exactRejections:)``).
    func acceptedAttempt(at index: Int, exactRejections: Bool = true)
        -> (AcceptedAttempt, [GenerationRejection], Int, Double?)
    {
        var random = randomState(at: index)
        var scratch = ExpressionGenerator.AttemptScratch()
        return acceptedAttempt(
            exactRejections: exactRejections, random: &random, scratch: &scratch)
    }

    /// ``acceptedAttempt(at:exactRejections:)`` drawn from `random`, the sample's
    /// ``randomState(at:)``, taken in place (a copy would copy its 624 words on the first draw).
    func acceptedAttempt(
        exactRejections: Bool, random: inout NumpyLegacyRandom,
        scratch: inout ExpressionGenerator.AttemptScratch
    ) -> (AcceptedAttempt, [GenerationRejection], Int, Double?) {
        let (accepted, rejections, unaryCount) = generator.generateAccepted(
            from: &random, exactRejections: exactRejections, scratch: &scratch)
        let target = property.map {
            $0.value(x: accepted.columns[0], y: accepted.y, exactNCR: exactNCR, random: &random)
        }
        return (accepted, rejections, unaryCount, target)
    }

    /// Appends the `data.prefix` line of the sample whose ``randomState(at:)`` is `random`, and
    /// a newline, to `buffer`.
    func appendLine(
        random: inout NumpyLegacyRandom, scratch: inout ExpressionGenerator.AttemptScratch,
        to buffer: ByteBuffer
    ) {
        let (accepted, _, _, target) = acceptedAttempt(
            exactRejections: false, random: &random, scratch: &scratch)
        accepted.appendDataPrefixLine(
            to: buffer, precision: generator.configuration.floatPrecision,
            targetProperty: target, skeletonTree: skeletonTrees)
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Appends the lines of samples `range` to `buffer`.
    func appendLines(_ range: Range<Int>, to buffer: ByteBuffer) {
        var states = randomStates(range)
        var scratch = ExpressionGenerator.AttemptScratch()
        for k in states.indices { appendLine(random: &states[k], scratch: &scratch, to: buffer) }
    }

    /// The `data.prefix` lines of samples `range`, each ending in a newline.
    public func lines(_ range: Range<Int>) -> [UInt8] {
        let buffer = ByteBuffer()
        appendLines(range, to: buffer)
        return Array(buffer.bytes)
    }

    /// Writes samples `0..<count` as `data.prefix` lines, in order, through `sink` (called on
    /// the calling thread); `threads` worker threads make them in blocks of 16 while the
    /// calling thread writes finished blocks in order, so the bytes do not depend on `threads`.
    /// `progress` hears the number of samples written after each block.
    public func write(
        count: Int, threads: Int, sink: (UnsafeRawBufferPointer) throws -> Void,
        progress: (Int) -> Void = { _ in }
    ) rethrows {
        precondition(count >= 0 && count <= Int(UInt32.max) + 1, "sample count out of range")
        let blockSize = 16
        let blocks = (count + blockSize - 1) / blockSize
        let threads = Swift.max(1, Swift.min(threads, blocks))
        @Sendable func fill(_ block: Int, _ buffer: ByteBuffer) {
            buffer.removeAll()
            appendLines((block * blockSize)..<Swift.min(count, (block + 1) * blockSize), to: buffer)
        }
        if threads == 1 {
            let buffer = ByteBuffer()
            for b in 0..<blocks {
                fill(b, buffer)
                try sink(buffer.bytes)
                progress(Swift.min(count, (b + 1) * blockSize))
            }
            return
        }
        // Workers take blocks in order, at most `window` ahead of the writer; block b goes to
        // slot b % window once the block before it in that slot has been written.
        let pipeline = BlockPipeline(blocks: blocks, window: 8 * threads)
        let workers = (0..<threads).map { _ in
            Thread {
                while let (block, buffer) = pipeline.nextBlock() {
                    fill(block, buffer)
                    pipeline.finish(block)
                }
                pipeline.workerExited()
            }
        }
        for w in workers {
            w.stackSize = 1 << 22
            w.start()
        }
        defer { pipeline.cancelAndWait(workers: threads) }
        for b in 0..<blocks {
            let buffer = pipeline.waitFor(b)
            try sink(buffer.bytes)
            pipeline.written(b)
            progress(Swift.min(count, (b + 1) * blockSize))
        }
    }
}

/// The shared state of ``DatasetGenerator/write(count:threads:sink:progress:)``: which block
/// each worker makes next, which blocks are done, and how far the writer has got.
private final class BlockPipeline: @unchecked Sendable {
    private let condition = NSCondition()
    private let blocks: Int
    private let window: Int
    private let buffers: [ByteBuffer]
    private var done: [Bool]
    private var nextToMake = 0
    private var nextToWrite = 0
    private var cancelled = false
    private var exited = 0

    init(blocks: Int, window: Int) {
        self.blocks = blocks
        self.window = window
        buffers = (0..<window).map { _ in ByteBuffer() }
        done = [Bool](repeating: false, count: window)
    }

    /// The next block to make and its buffer, waiting while the window is full; `nil` at the
    /// end or when cancelled.
    func nextBlock() -> (Int, ByteBuffer)? {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled && nextToMake < blocks && nextToMake >= nextToWrite + window {
            condition.wait()
        }
        guard !cancelled && nextToMake < blocks else { return nil }
        let block = nextToMake
        nextToMake += 1
        return (block, buffers[block % window])
    }

    /// Marks a block as made.
    func finish(_ block: Int) {
        condition.lock()
        done[block % window] = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until block `b` is made and returns its buffer.
    func waitFor(_ b: Int) -> ByteBuffer {
        condition.lock()
        defer { condition.unlock() }
        while !done[b % window] { condition.wait() }
        return buffers[b % window]
    }

    /// Marks block `b` as written, freeing its slot.
    func written(_ b: Int) {
        condition.lock()
        done[b % window] = false
        nextToWrite = b + 1
        condition.broadcast()
        condition.unlock()
    }

    func workerExited() {
        condition.lock()
        exited += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the workers (after the last block, or when writing failed) and waits for them.
    func cancelAndWait(workers: Int) {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while exited < workers { condition.wait() }
        condition.unlock()
    }
}
