import SnipMath
import Testing

/// Float literals mapped in prefix order; everything else kept.
@Suite struct ExpressionConstantsTests {
    @Test func floatLiteralsAreMappedInPrefixOrderAndNothingElse() throws {
        let tree = try Expression(prefix: "add,mul,2.5,sin,mul,-1.25,x_0,add,pow,x_0,3,pi")
        #expect(tree.floatLiteralCount == 2)
        var seen: [Double] = []
        let doubled = tree.mappingFloatLiterals { value in
            seen.append(value)
            return value * 2
        }
        #expect(seen == [2.5, -1.25])
        #expect(doubled.prefix == "add,mul,5.0,sin,mul,-2.5,x_0,add,pow,x_0,3,pi")
        #expect(doubled.floatLiteralCount == 2)
    }

    @Test func anExpressionWithoutFloatsComesBackUnchanged() throws {
        let tree = try Expression(prefix: "mul,3,sin,x_0")
        #expect(tree.floatLiteralCount == 0)
        #expect(tree.mappingFloatLiterals { _ in Issue.record("no float to map"); return 0 } == tree)
    }
}
