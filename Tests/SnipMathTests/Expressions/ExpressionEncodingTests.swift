import SnipMath
import TestSupport
import Testing

/// Equation token encoding against `expressions.json` (`tree_encoded`, `skeleton_tree_encoded`
/// and their ids).
@Suite struct ExpressionEncodingTests {
    static let golden = try! Golden.load("expressions.json", from: .module).json

    @Test(arguments: [("dim1", 1), ("dim3", 3)])
    func encodingsMatch(set: String, dimension: Int) throws {
        let vocabulary = Vocabulary.equation(maxInputDimension: dimension)
        var matched = 0
        for r in Self.golden[set]!.array {
            let tree = try Expression(prefix: r["prefix"]!.string)
            let tokens = try tree.encodedTokens()
            let ids = try vocabulary.ids(of: tokens)
            let skeletonTokens = try tree.skeleton.encodedTokens()
            let skeletonIDs = try vocabulary.ids(of: skeletonTokens)
            #expect(tokens == r["tree_encoded"]!.strings)
            #expect(ids == r["tree_encoded_ids"]!.ints)
            #expect(skeletonTokens == r["skeleton_tree_encoded"]!.strings)
            #expect(skeletonIDs == r["skeleton_tree_encoded_ids"]!.ints)
            if tokens == r["tree_encoded"]!.strings && ids == r["tree_encoded_ids"]!.ints
                && skeletonIDs == r["skeleton_tree_encoded_ids"]!.ints
            {
                matched += 1
            }
            // Decoding the tokens gives the tree with its constants rounded to 4 digits.
            let decoded = try Expression(encodedTokens: tokens)
            #expect(try decoded.encodedTokens() == tokens)
        }
        #expect(matched == (dimension == 1 ? 200 : 100))
    }

    @Test func integersAndSpecialLeaves() throws {
        let tree = try Expression(prefix: "add,-0,mul,007,add,pi,mul,0.5,CONSTANT")
        #expect(
            try tree.encodedTokens() == [
                "add", "0", "mul", "7", "add", "pi", "mul", "+", "N5000", "E-4", "CONSTANT",
            ])
        #expect(
            try Expression(encodedTokens: ["mul", "-", "N2500", "E-3", "x_0"]).prefix
                == "mul,-2.5,x_0")
    }
}
