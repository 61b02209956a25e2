import Glibc
import SnipMath
import SnipTensor

/// How ``FormulaDecoder/decode(latent:strategy:variables:seed:)`` picks tokens.
public enum DecodingStrategy: Sendable, Equatable {
    /// The most likely token each time (one formula per latent).
    case greedy
    /// Beam search keeping `width` partial formulas per latent.
    case beam(width: Int)
    /// `count` formulas per latent, each token drawn from the softmax at `temperature`.
    case sampling(count: Int, temperature: Double)
}

/// A formula the decoder wrote.
public struct DecodedFormula: Sendable, Equatable {
    /// Prefix words (operators, `CONSTANT`, `x_i`), always a complete prefix expression.
    public var words: [String]
    /// The sum of the chosen tokens' log-probabilities.
    public var logProbability: Double

    /// The expression the words spell.
    public var expression: Expression {
        // the grammar mask makes every decoded word list a complete prefix expression
        (try? Expression(prefixTokens: words)) ?? .leaf(.placeholder)
    }
}

extension FormulaDecoder {
    /// Writes formulas for each row of `latent` `[N, L]`, using at most `variables` variables
    /// (`x_0` … `x_{variables−1}`).
    ///
    /// A grammar mask keeps every partial formula completable: `<EOS>` only once the prefix
    /// expression is complete, nothing but `<EOS>` after that, operators only while the
    /// formula can still be closed within ``DecoderConfig/maxLength`` tokens, and no variable
    /// beyond `variables`. So every result is a valid prefix expression.
    public func decode(latent: Tensor, strategy: DecodingStrategy, variables: Int, seed: UInt64 = 0)
        -> [[DecodedFormula]]
    {
        let n = latent.shape[0]
        guard n > 0 else { return [] }
        return withoutGrad {
            let memory = self.memory(latent: latent)  // [N, K, D]
            switch strategy {
            case .greedy:
                return run(memory: memory, owners: Array(0..<n), keep: 1, sample: nil, variables: variables, seed: seed, count: n)
            case .beam(let width):
                return run(
                    memory: memory, owners: Array(0..<n), keep: Swift.max(width, 1), sample: nil, variables: variables,
                    seed: seed, count: n)
            case .sampling(let count, let temperature):
                let k = Swift.max(count, 1)
                let owners = (0..<n).flatMap { [Int](repeating: $0, count: k) }
                return run(
                    memory: memory, owners: owners, keep: nil, sample: Swift.max(temperature, 1e-3), variables: variables,
                    seed: seed, count: n)
            }
        }
    }

    /// One partial formula.
    private struct Hypothesis {
        var owner: Int
        var tokens: [Int]  // starting with <EOS>
        var open: Int  // operand slots still to fill
        var logProbability: Double
        var finished: Bool { open == 0 }
    }

    /// Extends hypotheses token by token. `keep` = beam width (nil: sampling, one continuation
    /// per hypothesis).
    private func run(
        memory: Tensor, owners: [Int], keep: Int?, sample temperature: Double?, variables: Int, seed: UInt64, count: Int
    ) -> [[DecodedFormula]] {
        let v = vocabulary.count
        let maxLength = config.maxLength
        let variableLimit = Swift.min(Swift.max(variables, 1), config.maxInputDimension)
        var allowedLeaf = [Bool](repeating: false, count: v)
        for w in 0..<v where vocabulary.arity[w] == 0 {
            let word = vocabulary.words[w]
            if word.hasPrefix("x_"), let i = Int(word.dropFirst(2)), i >= variableLimit { continue }
            allowedLeaf[w] = true
        }
        var random = SeededGenerator(seed: seed ^ 0xDEC0_DE00)
        var hypotheses = owners.map { Hypothesis(owner: $0, tokens: [DecoderVocabulary.end], open: 1, logProbability: 0) }
        var done: [[DecodedFormula]] = Array(repeating: [], count: count)
        let memoryShape = Array(memory.shape.dropFirst())
        let memoryTable = memory.reshaped([memory.shape[0], memoryShape.reduce(1, *)])
        while !hypotheses.isEmpty {
            let t = hypotheses[0].tokens.count
            // each hypothesis's owner's memory, gathered as rows of a [N, K·D] table
            let selected = Tensor.embedding(memoryTable, ids: hypotheses.map(\.owner), shape: [hypotheses.count])
                .reshaped([hypotheses.count] + memoryShape)
            let logits = self.logits(memory: selected, tokens: hypotheses.map(\.tokens))  // [M, t, V]
            var next: [Hypothesis] = []
            var candidates: [[(hypothesis: Int, token: Int, score: Double)]] = Array(repeating: [], count: count)
            logits.withUnsafeBufferPointer { all in
                for (m, h) in hypotheses.enumerated() {
                    let base = (m * t + (t - 1)) * v
                    // mask: what may follow
                    var allowed = [Bool](repeating: false, count: v)
                    let length = t - 1
                    for w in 0..<v {
                        let arity = vocabulary.arity[w]
                        guard arity >= 0 else { continue }
                        if arity == 0 { allowed[w] = allowedLeaf[w]; continue }
                        // after this token the formula needs open − 1 + arity more leaves at least
                        allowed[w] = length + 1 + (h.open - 1 + arity) <= maxLength
                    }
                    var maxLogit = -Float.infinity
                    for w in 0..<v where allowed[w] { maxLogit = Swift.max(maxLogit, all[base + w]) }
                    let scale = Float(1 / (temperature ?? 1))
                    var sum = 0.0
                    for w in 0..<v where allowed[w] { sum += Glibc.exp(Double((all[base + w] - maxLogit) * scale)) }
                    let logSum = Glibc.log(sum)
                    func logProbability(_ w: Int) -> Double { Double((all[base + w] - maxLogit) * scale) - logSum }
                    if temperature != nil {
                        var u = random.nextUnitDouble()
                        var choice = -1
                        for w in 0..<v where allowed[w] {
                            u -= Glibc.exp(logProbability(w))
                            choice = w
                            if u <= 0 { break }
                        }
                        candidates[h.owner].append((m, choice, h.logProbability + logProbability(choice)))
                    } else {
                        for w in 0..<v where allowed[w] {
                            candidates[h.owner].append((m, w, h.logProbability + logProbability(w)))
                        }
                    }
                }
            }
            for owner in 0..<count {
                var list = candidates[owner]
                if let keep {
                    // finished beams of this owner compete with the new candidates
                    let room = keep - done[owner].count
                    guard room > 0 else { continue }
                    list.sort { $0.score > $1.score || ($0.score == $1.score && $0.token < $1.token) }
                    list = Array(list.prefix(room))
                }
                for c in list {
                    var h = hypotheses[c.hypothesis]
                    h.tokens.append(c.token)
                    h.open += vocabulary.arity[c.token] - 1
                    h.logProbability = c.score
                    if h.finished {
                        let words = h.tokens.dropFirst().map { vocabulary.words[$0] }
                        done[owner].append(DecodedFormula(words: words, logProbability: h.logProbability))
                    } else {
                        next.append(h)
                    }
                }
            }
            hypotheses = next
        }
        return done.map { $0.sorted { $0.logProbability > $1.logProbability } }
    }
}
