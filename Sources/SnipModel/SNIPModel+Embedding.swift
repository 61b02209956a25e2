import SnipMath
import SnipTensor

/// Why a sample could not be embedded: its position in the input and the reason.
public struct EmbeddingError: Error, CustomStringConvertible, Sendable {
    /// The sample's index in the list given to the embedding call.
    public let index: Int
    public let reason: String
    public var description: String { "sample \(index): \(reason)" }
}

/// Embedding many samples in batches (no gradients), with the model's contract applied: the
/// one place `snip embed`, `snip retrieval`, `snip evaluate-model` and the language's
/// `encode`/`nearest` turn samples into latents.
extension SNIPModel {
    /// The equation-token ids of each sample's expression (or skeleton, per the contract).
    public func expressionIDs(_ samples: [Sample]) throws(EmbeddingError) -> [[Int]] {
        let tokenizer = self.tokenizer
        var result: [[Int]] = []
        result.reserveCapacity(samples.count)
        for (index, sample) in samples.enumerated() {
            do {
                let ids = try tokenizer.expressionIDs(sample)
                guard ids.count + 2 <= config.positions else {
                    throw SampleTokenizer.Failure(
                        description: "the expression has \(ids.count) tokens; the model reads at most \(config.positions - 2)")
                }
                result.append(ids)
            } catch {
                throw EmbeddingError(index: index, reason: "\(error)")
            }
        }
        return result
    }

    /// The float-token ids of each sample's points, y scaled per the contract.
    public func pointIDs(_ samples: [Sample]) throws(EmbeddingError) -> [[Int]] {
        let tokenizer = self.tokenizer
        var result: [[Int]] = []
        result.reserveCapacity(samples.count)
        for (index, sample) in samples.enumerated() {
            guard !sample.y.isEmpty else { throw EmbeddingError(index: index, reason: "no points") }
            guard sample.y.count <= config.positions else {
                throw EmbeddingError(
                    index: index, reason: "\(sample.y.count) points; the model reads at most \(config.positions)")
            }
            do {
                result.append(try tokenizer.pointIDs(contract.prepared(sample)))
            } catch {
                throw EmbeddingError(index: index, reason: "\(error)")
            }
        }
        return result
    }

    /// z_f of every sample, `[N, latent]`, in batches of `batchSize`; `progress` gets the
    /// count done after each batch and `shouldStop` is polled between batches (returning nil
    /// when it turned true).
    public func embedSymbolic(
        _ samples: [Sample], batchSize: Int = 64, progress: (Int) -> Void = { _ in },
        shouldStop: () -> Bool = { false }
    ) throws(EmbeddingError) -> Tensor? {
        let ids = try expressionIDs(samples)
        return embedInBatches(ids.count, batchSize: batchSize, progress: progress, shouldStop: shouldStop) {
            encodeSymbolic(Array(ids[$0])).latent
        }
    }

    /// z_y of every sample's points, `[N, latent]` (see ``embedSymbolic(_:batchSize:progress:shouldStop:)``).
    public func embedNumeric(
        _ samples: [Sample], batchSize: Int = 64, progress: (Int) -> Void = { _ in },
        shouldStop: () -> Bool = { false }
    ) throws(EmbeddingError) -> Tensor? {
        let ids = try pointIDs(samples)
        return embedInBatches(ids.count, batchSize: batchSize, progress: progress, shouldStop: shouldStop) {
            encodeNumeric(Array(ids[$0])).latent
        }
    }

    /// The retrieval scores of every symbolic row against every numeric row, `[N, M]`, as the
    /// contract says (dot product or cosine).
    public func scores(symbolic: Tensor, numeric: Tensor) -> Tensor {
        precondition(symbolic.rank == 2 && numeric.rank == 2 && symbolic.shape[1] == numeric.shape[1],
                     "scores: \(symbolic.shape) vs \(numeric.shape)")
        return withoutGrad {
            switch contract.similarity {
            case .dot: return Tensor.matmul(symbolic, numeric, transposeB: true)
            case .cosine: return Tensor.matmul(unitRows(symbolic), unitRows(numeric), transposeB: true)
            }
        }
    }

    private func embedInBatches(
        _ count: Int, batchSize: Int, progress: (Int) -> Void, shouldStop: () -> Bool,
        _ encode: (Range<Int>) -> Tensor
    ) -> Tensor? {
        precondition(batchSize > 0, "batch size must be positive")
        var parts: [Tensor] = []
        for start in stride(from: 0, to: count, by: batchSize) {
            if shouldStop() { return nil }
            let range = start..<min(start + batchSize, count)
            parts.append(withoutGrad { encode(range) })
            progress(range.upperBound)
        }
        return parts.isEmpty ? Tensor([], shape: [0, config.latent]) : Tensor.concatenate(parts, axis: 0)
    }
}
