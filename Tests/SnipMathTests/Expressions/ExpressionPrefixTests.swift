import Foundation
import SnipMath
import TestSupport
import Testing

/// Prefix parsing/printing and infix printing against `expressions.json`.
@Suite struct ExpressionPrefixTests {
    static let golden = try! Golden.load("expressions.json", from: .module).json
    static var records: [JSONValue] {
        golden["dim1"]!.array + golden["dim3"]!.array
    }
    static var edgeCases: [JSONValue] { golden["edge_cases"]!.array }

    @Test func generatedPrefixesRoundTripAndPrintInfix() throws {
        #expect(Self.records.count == 300)
        for r in Self.records {
            let prefix = r["prefix"]!.string
            let tree = try Expression(prefix: prefix)
            #expect(tree.prefix == prefix)
            #expect(tree.infix == r["infix"]!.string)
            let skeleton = try Expression(prefix: r["skeleton_prefix"]!.string)
            #expect(skeleton.prefix == r["skeleton_prefix"]!.string)
            #expect(skeleton.infix == r["skeleton_infix"]!.string)
        }
    }

    @Test func skeletonsMatch() throws {
        var matched = 0
        for r in Self.records {
            let tree = try Expression(prefix: r["prefix"]!.string)
            let (skeleton, constants) = tree.skeletonAndConstants
            #expect(skeleton.prefix == r["skeleton_prefix"]!.string)
            #expect(skeleton.infix == r["skeleton_infix"]!.string)
            #expect(
                constants.count
                    == tree.prefixTokens.filter { Leaf(token: $0)?.isFloatLiteral ?? false }.count)
            if skeleton.prefix == r["skeleton_prefix"]!.string { matched += 1 }
        }
        #expect(matched == 300)
    }

    @Test func skeletonQuirks() throws {
        // A unary operator right above a constant is dropped, and the next token is skipped.
        let tree = try Expression(prefix: "add,sin,0.5,0.25")
        #expect(tree.skeleton.prefix == "add,CONSTANT,0.25")
        #expect(tree.skeletonAndConstants.constants == [0.5])
        #expect(try Expression(prefix: "mul,3,pi").skeleton.prefix == "mul,3,pi")
        #expect(try Expression(prefix: "mul,1e-05,x_0").skeleton.prefix == "mul,CONSTANT,x_0")
    }

    @Test func edgeCasePrefixesRoundTripAndPrintInfix() throws {
        #expect(Self.edgeCases.count == 50)
        for r in Self.edgeCases {
            let tree = try Expression(prefix: r["prefix"]!.string)
            #expect(tree.prefix == r["decoded_prefix"]!.string)
            #expect(tree.infix == r["infix"]!.string)
        }
    }

    @Test func malformedPrefixesAreRejected() {
        #expect(throws: ExpressionParseError.empty) { try Expression(prefixTokens: []) }
        #expect(throws: ExpressionParseError.unexpectedEnd) { try Expression(prefix: "add,x_0") }
        #expect(throws: ExpressionParseError.trailingTokens(position: 1)) {
            try Expression(prefix: "x_0,x_1")
        }
        #expect(throws: ExpressionParseError.unknownToken("foo", position: 1)) {
            try Expression(prefix: "sin,foo")
        }
        #expect(throws: ExpressionParseError.unknownToken("x_01", position: 0)) {
            try Expression(prefix: "x_01")
        }
        #expect(throws: ExpressionParseError.unknownToken("x_-1", position: 0)) {
            try Expression(prefix: "x_-1")
        }
        #expect(throws: ExpressionParseError.unknownToken("", position: 2)) {
            try Expression(prefix: "add,x_0,")
        }
    }

    @Test func leavesKeepTheirText() throws {
        let tree = try Expression(prefix: "add,0.47100000000000003,mul,-3,pow,x_2,euler_gamma")
        #expect(tree.prefix == "add,0.47100000000000003,mul,-3,pow,x_2,euler_gamma")
        #expect(tree.inputDimension == 3)
        #expect(tree.nodeCount == 7)
        #expect(tree.binaryOperatorCount == 3)
        #expect(try Expression(prefix: "x_0") != Expression(prefix: "x_1"))
        #expect(try Expression(prefix: "1.0") != Expression(prefix: "1"))
        #expect(Expression.float(1e-5).prefix == "1e-05")
        #expect(Expression.float(-90.10000000000001).prefix == "-90.10000000000001")
        #expect(Expression.float(1e16).prefix == "1e+16")
        #expect(Expression.float(1e15).prefix == "1000000000000000.0")
        #expect(Expression.float(0.0001).prefix == "0.0001")
        #expect(Expression.float(123.0).prefix == "123.0")
        #expect(Expression.float(-0.0).prefix == "-0.0")
    }
}
