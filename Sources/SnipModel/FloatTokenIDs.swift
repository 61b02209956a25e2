import SnipMath

/// The float vocabulary's ids of the tokens ``FloatTokenizer/tokenParts(_:)`` describes, so
/// that points become ids without their tokens being written as text (the text path took
/// ~2.5 ms per 200-point sample, more than generating the function).
struct FloatTokenIDs: Sendable {
    let plus: Int
    let minus: Int
    /// The id of `N0000`; `N0000`…`N9999` follow it in order.
    let mantissaZero: Int
    /// The id of `E<e>` at `e + maxExponent`.
    let exponents: [Int]
    let maxExponent: Int

    /// The table for `tokenizer`'s words in `vocabulary`; nil when the tokenizer has no fast
    /// path or the vocabulary does not hold the words in the expected order.
    init?(tokenizer: FloatTokenizer, vocabulary: Vocabulary) {
        guard tokenizer.precision == 3, tokenizer.mantissaLength == 1,
            let plus = vocabulary.id(of: "+"), let minus = vocabulary.id(of: "-"),
            let zero = vocabulary.id(of: "N0000"), zero + 10_000 <= vocabulary.count
        else { return nil }
        let digits = Array("0123456789".utf8)
        for m in 0..<10_000 {
            let word = [UInt8(ascii: "N"), digits[m / 1000], digits[m / 100 % 10], digits[m / 10 % 10], digits[m % 10]]
            guard vocabulary.words[zero + m].utf8.elementsEqual(word) else { return nil }
        }
        var exponents: [Int] = []
        for e in -tokenizer.maxExponent...tokenizer.maxExponent {
            guard let id = vocabulary.id(of: "E\(e)") else { return nil }
            exponents.append(id)
        }
        self.plus = plus
        self.minus = minus
        mantissaZero = zero
        self.exponents = exponents
        maxExponent = tokenizer.maxExponent
    }

    /// Appends the ids of `parts` (from ``FloatTokenizer/tokenParts(_:)``).
    @inline(__always)
    func append(_ parts: (negative: Bool, mantissa: Int, exponent: Int), to ids: inout [Int]) {
        ids.append(parts.negative ? minus : plus)
        ids.append(mantissaZero + parts.mantissa)
        ids.append(exponents[parts.exponent + maxExponent])
    }
}
