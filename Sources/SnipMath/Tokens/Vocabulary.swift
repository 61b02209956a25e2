/// Why a word or id is not in a vocabulary.
public enum VocabularyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The word has no id.
    case unknownWord(String)
    /// The id is outside the vocabulary.
    case unknownID(Int)

    /// A one-line description of the problem.
    public var description: String {
        switch self {
        case .unknownWord(let w): return "unknown word '\(w)'"
        case .unknownID(let i): return "unknown id \(i)"
        }
    }
}

/// A token vocabulary: the id → word list and the word → id map of the reference environment.
///
/// **Quirk kept:** the equation vocabulary lists its special words twice (once at the start, once
/// inside the float vocabulary appended at its end), and the word → id map keeps the *last*
/// occurrence, as the reference's dict comprehension does (`<EOS>` = 65, `<PAD>` = 73 for
/// dimension 1).
public struct Vocabulary: Hashable, Sendable {
    /// The 15 special words that start every vocabulary.
    public static let specialWords = [
        "<EOS>", "<X>", "</X>", "<Y>", "</Y>", "</POINTS>", "<INPUT_PAD>", "<OUTPUT_PAD>", "<PAD>",
        "(", ")", "SPECIAL", "OOD_unary_op", "OOD_binary_op", "OOD_constant",
    ]

    /// The words in id order (`words[id]`).
    public let words: [String]
    private let idsByWord: [String: Int]

    /// A vocabulary from words in id order; a repeated word maps to its last id.
    public init(words: [String]) {
        self.words = words
        var map: [String: Int] = [:]
        for (i, w) in words.enumerated() { map[w] = i }
        idsByWord = map
    }

    /// The number of ids.
    public var count: Int { words.count }

    /// The id of a word (the last one for a repeated word), or `nil`.
    public func id(of word: String) -> Int? { idsByWord[word] }

    /// The ids of words.
    public func ids(of words: [String]) throws(VocabularyError) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(words.count)
        for w in words {
            guard let i = idsByWord[w] else { throw .unknownWord(w) }
            out.append(i)
        }
        return out
    }

    /// The word of an id, or `nil`.
    public func word(of id: Int) -> String? { words.indices.contains(id) ? words[id] : nil }

    /// The words of ids.
    public func words(of ids: [Int]) throws(VocabularyError) -> [String] {
        var out: [String] = []
        out.reserveCapacity(ids.count)
        for i in ids {
            guard words.indices.contains(i) else { throw .unknownID(i) }
            out.append(words[i])
        }
        return out
    }

    /// The float vocabulary (`env.float_id2word`): special words, then the tokenizer's symbols
    /// sorted as byte strings (10,218 words by default).
    public static func float(tokenizer: FloatTokenizer = FloatTokenizer()) -> Vocabulary {
        Vocabulary(words: specialWords + sortedUnique(tokenizer.symbols))
    }

    /// The equation vocabulary (`env.equation_id2word`) for inputs of up to `maxInputDimension`
    /// variables: special words, the sorted generator symbols, then the whole float vocabulary.
    public static func equation(
        maxInputDimension: Int, maxInt: Int = 10, tokenizer: FloatTokenizer = FloatTokenizer()
    ) -> Vocabulary {
        var symbols = BinaryOperator.allCases.filter { $0 != .pow }.map(\.rawValue)
        symbols += UnaryOperator.allCases.map(\.rawValue)
        symbols += (-maxInt...maxInt).filter { $0 != 0 }.map { String($0) }
        symbols += MathConstant.allCases.map(\.rawValue) + ["CONSTANT", "rand"]
        symbols += (0..<maxInputDimension).map { "x_\($0)" }
        symbols += ["|", "INT+", "INT-", "FLOAT+", "FLOAT-", "pow", "0"]
        return Vocabulary(
            words: specialWords + sortedUnique(symbols) + float(tokenizer: tokenizer).words)
    }

    /// Python's `sorted(set(words))` for ASCII words (byte order).
    static func sortedUnique(_ words: [String]) -> [String] {
        Array(Set(words)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
