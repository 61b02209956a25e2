import Foundation
import SnipMath
import TestSupport
import Testing

/// The float tokenizer against `float_encoding.json`.
@Suite struct FloatTokenizerTests {
    static let golden = try! Golden.load("float_encoding.json", from: .module).json
    let tokenizer = FloatTokenizer()
    let vocabulary = Vocabulary.float()

    @Test func everyEncodeCaseMatches() throws {
        let cases = Self.golden["encode"]!.array
        #expect(cases.count == 303)
        var matched = 0
        for c in cases {
            let value = c["value"]!.double
            if let error = c["error"]?.string {
                if error.hasPrefix("KeyError") {
                    // The reference writes the tokens; the vocabulary lacks the exponent word.
                    let missing = String(error.split(separator: "'")[1])
                    let tokens = try tokenizer.encode(value)
                    #expect(tokens.last == missing, "\(value)")
                    #expect(throws: VocabularyError.unknownWord(missing)) {
                        try vocabulary.ids(of: tokens)
                    }
                } else {
                    #expect(throws: FloatTokenizerError.self, "\(value)") {
                        try tokenizer.encode(value)
                    }
                }
                matched += 1
                continue
            }
            let tokens = try tokenizer.encode(value)
            let expected = c["tokens"]!.strings
            #expect(tokens == expected, "\(c["value_repr"]!.string)")
            #expect(try vocabulary.ids(of: tokens) == c["ids"]!.ints)
            let decoded = tokenizer.decode(tokens) ?? []
            #expect(identical(decoded, c["decoded"]!.doubles), "decode \(expected)")
            if tokens == expected && identical(decoded, c["decoded"]!.doubles) { matched += 1 }
        }
        #expect(matched == 303)
    }

    @Test func negativeZeroAndUnderflow() throws {
        #expect(try tokenizer.encode(-0.0) == ["+", "N0000", "E-3"])
        #expect(try tokenizer.encode(-1e-120) == ["-", "N0000", "E0"])
        #expect(try tokenizer.encode(9.9996) == ["+", "N1000", "E-2"])
        #expect(try tokenizer.encode(0.00125) == ["+", "N1250", "E-6"])
        #expect(throws: FloatTokenizerError.self) { try tokenizer.encode(Double.nan) }
    }

    @Test func vectorAndMatrixEncodingMatch() throws {
        let vector = Self.golden["encode_vector"]!
        #expect(try tokenizer.encode(vector["values"]!.doubles) == vector["tokens"]!.strings)
        let matrix = Self.golden["encode_matrix"]!
        let rows = matrix["values"]!.matrix
        let expected = matrix["tokens"]!.array.map(\.strings)
        #expect(try rows.map { try tokenizer.encode($0) } == expected)
    }

    @Test func everyDecodeCaseMatches() throws {
        let cases = Self.golden["decode"]!.array
        #expect(cases.count == 15)
        for c in cases {
            let tokens = c["tokens"]!.strings
            let result = tokenizer.decode(tokens)
            if c["decoded"]!.isNull {
                #expect(result == nil, "\(tokens)")
            } else {
                #expect(result.map { identical($0, c["decoded"]!.doubles) } == true, "\(tokens)")
            }
        }
    }

    @Test func otherParameters() throws {
        let t = FloatTokenizer(precision: 5, mantissaLength: 2, maxExponent: 10)
        #expect(try t.encode(3.14159265) == ["+", "N314", "N159", "E-5"])
        #expect(t.decode(["+", "N314", "N159", "E-5"]) == [3.1415900000000003])  // 314159 * 10**-5
        #expect(t.symbols.count == 2 + 1000 + 21)
    }

    /// The arithmetic parts agree with the text tokens wherever they answer, across every
    /// decade, near rounding ties and at the exponent limits; they decline what only text can
    /// say.
    @Test func tokenPartsAgreeWithTheText() throws {
        let tokenizer = FloatTokenizer()
        var generator = NumpyLegacyRandom(key: [17])
        var values: [Double] = [1, -1, 9.9995, 9.99949999, 9.99950001, 1.0005, 2.5e-7, 123456.5, 1e100, 9.99e100, 1e-100, 1e101]
        for _ in 0..<200_000 {
            let magnitude = Double.random(in: -110...110, using: &generator)
            let value = (Double.random(in: 1..<10, using: &generator)) * pow(10, magnitude.rounded(.down))
            values.append(Bool.random(using: &generator) ? value : -value)
        }
        // four-digit values and their half-way points: ties resolved by the exact binary value
        for m in stride(from: 1000, to: 10_000, by: 7) {
            values.append(Double(m) / 1000)
            values.append((Double(m) + 0.5) / 1000)
            values.append((Double(m) + 0.5) * 1e-5)
        }
        var answered = 0
        for value in values {
            let tokens = try tokenizer.encode(value)
            guard let parts = tokenizer.tokenParts(value) else { continue }
            answered += 1
            let digits = String(parts.mantissa)
            let expected = [parts.negative ? "-" : "+", "N" + String(repeating: "0", count: 4 - digits.count) + digits, "E\(parts.exponent)"]
            #expect(tokens == expected, "\(value)")
        }
        #expect(answered > values.count * 9 / 10)
        for declined in [0.0, -0.0, .nan, .infinity, .leastNonzeroMagnitude, 1e-98, 1e104] {
            #expect(tokenizer.tokenParts(declined) == nil, "\(declined)")
        }
        #expect(FloatTokenizer(precision: 4, mantissaLength: 1).tokenParts(1.5) == nil)
    }
}
