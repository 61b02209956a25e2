import SnipMath
import TestSupport
import Testing

/// Vocabularies against `vocab.json` (max input dimension 1, 3 and 10).
@Suite struct VocabularyTests {
    static let golden = try! Golden.load("vocab.json", from: .module).json

    @Test(arguments: [1, 3, 10])
    func vocabulariesMatch(dimension: Int) throws {
        let entry = Self.golden["max_input_dimension_\(dimension)"]!
        let float = Vocabulary.float()
        let equation = Vocabulary.equation(maxInputDimension: dimension)
        #expect(float.words == entry["float_words"]!.strings)
        #expect(equation.words == entry["equation_words"]!.strings)
        #expect(float.count == entry["n_float_words"]!.int)
        #expect(equation.count == entry["n_equation_words"]!.int)
        // word → id: the last occurrence wins for the duplicated special words.
        guard case .object(let duplicates) = entry["equation_word2id_for_duplicates"]! else {
            Issue.record("bad golden")
            return
        }
        #expect(duplicates.count == 15)
        for m in duplicates { #expect(equation.id(of: m.key) == m.value.int, "\(m.key)") }
        guard case .object(let dupIDs) = entry["equation_duplicate_words"]! else { return }
        for m in dupIDs { #expect(m.value.ints.map { equation.words[$0] } == [m.key, m.key]) }
        for (key, vocab) in [("float_word2id_check", float), ("equation_word2id_check", equation)] {
            guard case .object(let checks) = entry[key]! else { continue }
            for m in checks { #expect(vocab.id(of: m.key) == m.value.int, "\(key) \(m.key)") }
        }
        // Every word that occurs once maps to its own position.
        var seen: [String: Int] = [:]
        for w in equation.words { seen[w, default: 0] += 1 }
        for (i, w) in equation.words.enumerated() where seen[w] == 1 {
            #expect(equation.id(of: w) == i)
        }
        for (i, w) in float.words.enumerated() { #expect(float.id(of: w) == i) }
    }

    @Test func lookupErrors() throws {
        let v = Vocabulary.float()
        #expect(throws: VocabularyError.unknownWord("E101")) { try v.ids(of: ["+", "E101"]) }
        #expect(throws: VocabularyError.unknownID(10218)) { try v.words(of: [0, 10218]) }
        #expect(try v.words(of: v.ids(of: ["+", "N3142", "E-3"])) == ["+", "N3142", "E-3"])
        #expect(v.word(of: -1) == nil)
    }
}
