import SnipMath
import SnipTensor

/// One of the model's two encoders.
public enum EncoderSide: String, Sendable, CaseIterable {
    /// `encoder_f`: expressions (or skeletons) → z_f.
    case symbolic
    /// `encoder_y`: point sets → z_y.
    case numeric
}

/// Why a sample could not be embedded: its position in the input, the encoder that could not
/// read it and what was wrong.
public struct EmbeddingError: Error, CustomStringConvertible, Sendable {
    /// What was wrong with the sample.
    public enum Problem: Sendable, Equatable {
        /// The expression has `count` tokens; the model's positions hold `limit`.
        case tooManyTokens(count: Int, limit: Int)
        /// The sample has `count` points; the model's positions hold `limit`.
        case tooManyPoints(count: Int, limit: Int)
        /// The sample has no points.
        case noPoints
        /// The tokenizer cannot read it (a word outside the vocabulary, too many inputs).
        case unreadable(String)
    }

    /// The sample's index in the list given to the embedding call.
    public let index: Int
    /// The encoder that could not read it.
    public let side: EncoderSide
    public let problem: Problem

    /// The problem in words (without the sample's index).
    public var reason: String {
        switch problem {
        case .tooManyTokens(let count, let limit):
            return "the expression has \(count) tokens; the model reads at most \(limit)"
        case .tooManyPoints(let count, let limit):
            return "\(count) points; the model reads at most \(limit)"
        case .noPoints: return "no points"
        case .unreadable(let why): return why
        }
    }

    public var description: String { "sample \(index): \(reason)" }
}

/// The latents of many samples: `[N, latent]` for each encoder that ran.
public struct SampleEmbeddings: Sendable {
    /// z_f, one row per sample (nil when the symbolic encoder did not run).
    public var symbolic: Tensor?
    /// z_y, one row per sample (nil when the numeric encoder did not run).
    public var numeric: Tensor?
}

/// Embedding many samples in batches (no gradients), with the model's contract applied (y
/// scaled, skeletons) and its position limits checked: the one place `snip embed`,
/// `snip retrieval`, `snip evaluate-model`, the model report and the language's `encode` and
/// `nearest` turn samples into latents.
extension SNIPModel {
    /// The latents of every sample from the encoders in `sides`, in batches of `batchSize`.
    ///
    /// Every sample is tokenized first, so a sample the model cannot read fails the call before
    /// any encoding (the first such sample, in order, is reported). `progress` gets the count
    /// done after each batch; `shouldStop` is polled before each batch and stops the call
    /// (returning nil) when it turns true.
    public func embed(
        _ samples: [Sample], sides: Set<EncoderSide> = [.symbolic, .numeric], batchSize: Int = 64,
        progress: (Int) -> Void = { _ in }, shouldStop: () -> Bool = { false }
    ) throws(EmbeddingError) -> SampleEmbeddings? {
        precondition(batchSize > 0, "batch size must be positive")
        let (expressions, points) = try tokenIDs(samples, sides: sides)
        var symbolic: [Tensor] = [], numeric: [Tensor] = []
        for start in stride(from: 0, to: samples.count, by: batchSize) {
            if shouldStop() { return nil }
            let range = start..<min(start + batchSize, samples.count)
            withoutGrad {
                if let expressions { symbolic.append(encodeSymbolic(Array(expressions[range])).latent) }
                if let points { numeric.append(encodeNumeric(Array(points[range])).latent) }
            }
            progress(range.upperBound)
        }
        func rows(_ parts: [Tensor]) -> Tensor {
            parts.isEmpty ? Tensor([], shape: [0, config.latent]) : Tensor.concatenate(parts, axis: 0)
        }
        return SampleEmbeddings(
            symbolic: expressions == nil ? nil : rows(symbolic),
            numeric: points == nil ? nil : rows(numeric))
    }

    /// The latents of every sample from one encoder, `[N, latent]` (see
    /// ``embed(_:sides:batchSize:progress:shouldStop:)``).
    public func embed(
        _ samples: [Sample], side: EncoderSide, batchSize: Int = 64,
        progress: (Int) -> Void = { _ in }, shouldStop: () -> Bool = { false }
    ) throws(EmbeddingError) -> Tensor? {
        let result = try embed(
            samples, sides: [side], batchSize: batchSize, progress: progress, shouldStop: shouldStop)
        return side == .symbolic ? result?.symbolic : result?.numeric
    }

    /// The token ids the encoders in `sides` read for each sample (the contract applied, the
    /// position limits checked), sample by sample.
    public func tokenIDs(_ samples: [Sample], sides: Set<EncoderSide>) throws(EmbeddingError)
        -> (expressions: [[Int]]?, points: [[Int]]?)
    {
        var expressions: [[Int]]? = sides.contains(.symbolic) ? [] : nil
        var points: [[Int]]? = sides.contains(.numeric) ? [] : nil
        let tokenizer = self.tokenizer
        for (index, sample) in samples.enumerated() {
            if expressions != nil {
                expressions!.append(try expressionIDs(sample, index: index, tokenizer: tokenizer))
            }
            if points != nil {
                points!.append(try pointIDs(sample, index: index, tokenizer: tokenizer))
            }
        }
        return (expressions, points)
    }

    /// The equation-token ids of a sample's expression (or skeleton, per the contract).
    private func expressionIDs(_ sample: Sample, index: Int, tokenizer: SampleTokenizer)
        throws(EmbeddingError) -> [Int]
    {
        func failure(_ problem: EmbeddingError.Problem) -> EmbeddingError {
            EmbeddingError(index: index, side: .symbolic, problem: problem)
        }
        let ids: [Int]
        do {
            ids = try tokenizer.expressionIDs(sample)
        } catch {
            throw failure(.unreadable(error.description))
        }
        guard ids.count <= tokenizer.maxExpressionTokens else {
            throw failure(.tooManyTokens(count: ids.count, limit: tokenizer.maxExpressionTokens))
        }
        return ids
    }

    /// The float-token ids of a sample's points, y scaled per the contract.
    private func pointIDs(_ sample: Sample, index: Int, tokenizer: SampleTokenizer)
        throws(EmbeddingError) -> [Int]
    {
        func failure(_ problem: EmbeddingError.Problem) -> EmbeddingError {
            EmbeddingError(index: index, side: .numeric, problem: problem)
        }
        guard !sample.y.isEmpty else { throw failure(.noPoints) }
        guard sample.y.count <= tokenizer.maxPoints else {
            throw failure(.tooManyPoints(count: sample.y.count, limit: tokenizer.maxPoints))
        }
        do {
            return try tokenizer.pointIDs(contract.prepared(sample))
        } catch {
            throw failure(.unreadable(error.description))
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
}
