import SnipMath
import Testing

/// The JSON reader (exact doubles, Python's extensions, error positions) and Python's float
/// spelling used for leaves and `target_property`.
@Suite struct JSONValueTests {
    @Test func numbersAreCorrectlyRounded() throws {
        let texts = [
            "-1.7999999999999998", "-0.19999999999999973", "0.20000000000000018",
            "0.6000000000000001", "4.248354255292042e-18", "5e-324", "1.7976931348623157e308",
            "2.2250738585072014E-308", "-0", "123456789012345678901234567890",
        ]
        let value = try JSONValue(parsing: "[" + texts.joined(separator: ", ") + "]")
        let parsed = value.arrayValue!.map { $0.doubleValue! }
        #expect(parsed.map(\.bitPattern) == texts.map { Double($0)!.bitPattern })
    }

    @Test func documentsAndExtensions() throws {
        let v = try JSONValue(
            parsing:
                #" {"a": [1, true, null, "x\"\u00e9\ud83d\ude00\n"], "b": {}, "c": NaN, "d": -Infinity} "#
        )
        #expect(v.keys == ["a", "b", "c", "d"])
        #expect(v["a"]!.arrayValue![3].stringValue == "x\"é😀\n")
        #expect(v["a"]!.arrayValue![1] == .bool(true))
        #expect(v["a"]!.arrayValue![2] == .null)
        #expect(v["b"] == .object([]))
        #expect(v["c"]!.doubleValue!.isNaN)
        #expect(v["d"]!.doubleValue == -.infinity)
        #expect(v["missing"] == nil)
    }

    @Test func errorsCarryTheirColumn() {
        let cases: [(String, Int)] = [
            ("{\"a\" 1}", 5), ("[1, 2", 5), ("[01]", 1), ("{\"a\": tru}", 6), ("[1] x", 4),
            ("\"abc", 4), ("[1.]", 3), ("", 0),
        ]
        for (text, offset) in cases {
            #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
            do {
                _ = try JSONValue(parsing: text)
            } catch {
                #expect(error.offset == offset, "\(text): \(error)")
            }
        }
    }

    /// Python `repr(float)` spellings (generated with CPython 3).
    @Test func floatLeavesUsePythonRepr() {
        let cases: [(Double, String)] = [
            (0.30000000000000004, "0.30000000000000004"), (1e+16, "1e+16"),
            (1000000000000000.0, "1000000000000000.0"),
            (1.2345678901234568e+17, "1.2345678901234568e+17"), (1.5e-05, "1.5e-05"),
            (0.0001, "0.0001"), (0.00012345, "0.00012345"),
            (Double.leastNonzeroMagnitude, "5e-324"),
            (2.2250738585072014e-308, "2.2250738585072014e-308"),
            (1.7976931348623157e+308, "1.7976931348623157e+308"), (-2.5e-07, "-2.5e-07"),
            (1e+22, "1e+22"), (1e-07, "1e-07"), (100.0, "100.0"), (12345.678, "12345.678"),
            (0.47100000000000003, "0.47100000000000003"),
            (9999999999999998.0, "9999999999999998.0"),
            (1234567890123456.8, "1234567890123456.8"), (-0.001, "-0.001"),
            (2.4580338977940384e+16, "2.4580338977940384e+16"),
            (-28292897648820.945, "-28292897648820.945"),
            (304.06339350827017, "304.06339350827017"),
            (-0.09419895434327706, "-0.09419895434327706"),
            (5.519171348714338e-16, "5.519171348714338e-16"),
            (2.979491062738484e+26, "2.979491062738484e+26"),
            (-6.862973553954668e-08, "-6.862973553954668e-08"),
        ]
        for (value, text) in cases { #expect(Expression.float(value).prefix == text) }
    }
}
