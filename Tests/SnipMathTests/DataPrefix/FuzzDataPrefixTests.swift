import Foundation
import SnipMath
import Testing
import TestSupport

/// Fuzz target for a data.prefix line (issue 17): every line parses or throws
/// ``DataPrefixError``; a line that parses must survive everything the consumers do with a
/// sample (evaluate the tree on its points, encode it, take its skeleton, print it, write the
/// line back). CI runs a few thousand lines; `SNIP_FUZZ_ITERATIONS` runs more (see ``Fuzz``).
struct FuzzDataPrefixTests {
    static let seeds: [String] = {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/data_prefix/train_ncr.prefix")
        return (try? String(contentsOf: url, encoding: .utf8))?.split(separator: "\n").prefix(4).map(String.init) ?? []
    }()

    static let tokens = [
        "add", "sub", "mul", "div", "pow", "abs", "inv", "sqrt", "log", "exp", "sin", "arcsin", "cos", "arccos",
        "tan", "arctan", "pow2", "pow3", "x_0", "x_1", "x_9", "x_10", "x_01", "x_-1", "e", "pi", "euler_gamma",
        "rand", "CONSTANT", "1", "-3", "0.5", "-2.5e-08", "1e308", "inf", "nan", "-0", "", "foo", "x_99999999999999999999",
    ]

    @Test func dataPrefixLinesNeverCrash() throws {
        #expect(!Self.seeds.isEmpty)
        let iterations = Fuzz.iterations(ciDefault: 4000)
        var outcomes: [String: Int] = [:]
        for i in Fuzz.start..<Fuzz.start + iterations {
            Fuzz.progress("data.prefix line", done: i - Fuzz.start, outcomes: outcomes)
            var random = FuzzRandom(seed: 31, input: i)
            let line: String
            switch random.int(3) {
            case 0: line = String(decoding: random.mutate(Array(random.pick(Self.seeds).utf8)), as: UTF8.self)
            case 1: line = Self.randomLine(&random)
            default: line = String(decoding: random.mutate(Array(Self.randomLine(&random).utf8)), as: UTF8.self)
            }
            do {
                let sample = try Sample(dataPrefixLine: line)
                Self.exercise(sample)
                outcomes["parsed", default: 0] += 1
            } catch {
                #expect(!error.reason.isEmpty)
                outcomes["refused", default: 0] += 1
            }
        }
        Fuzz.report("data.prefix line", iterations: iterations, outcomes: outcomes)
    }

    /// What embed, train-property, eval-property, pretrain --data and load_data do with a sample.
    static func exercise(_ sample: Sample) {
        _ = try? sample.tree.evaluate(rows: Array(sample.x.prefix(8)))
        _ = try? sample.tree.encodedTokens()
        _ = sample.tree.skeletonAndConstants
        _ = sample.tree.infix
        _ = sample.tree.hashValue
        _ = sample.tree.nodeCount + sample.tree.inputDimension
        _ = sample.dataPrefixLine()
        // the properties, with the three points their callers require (snip's property
        // commands and the language's property built-ins check that first)
        let x = sample.x.map { $0.first ?? 0 }
        guard x.count >= 3 else { return }
        _ = FunctionProperties.upward(x: x, y: sample.y)
        _ = FunctionProperties.oscillation(x: x, y: sample.y)
        _ = FunctionProperties.yAverage(y: sample.y)
        _ = FunctionProperties.exactNonConvexityRatio(x: Array(x.prefix(12)), y: Array(sample.y.prefix(12)))
    }

    /// A syntactically valid prefix tree of about `budget` nodes over every operator and leaf.
    static func wellFormedTree(_ random: inout FuzzRandom, budget: Int) -> [String] {
        let binary = ["add", "sub", "mul", "div", "pow"]
        let unary = ["abs", "inv", "sqrt", "log", "exp", "sin", "arcsin", "cos", "arccos", "tan", "arctan", "pow2", "pow3"]
        let leaves = ["x_0", "x_0", "x_1", "e", "pi", "euler_gamma", "rand", "CONSTANT", "1", "-3", "0.5", "-2.5e-08", "1e308", "0"]
        var out: [String] = []
        var open = 1  // operands still needed
        while open > 0 {
            if out.count >= budget {
                out.append(random.pick(leaves))
                open -= 1
            } else if random.chance(0.3) {
                out.append(random.pick(binary))
                open += 1
            } else if random.chance(0.4) {
                out.append(random.pick(unary))
            } else {
                out.append(random.pick(leaves))
                open -= 1
            }
        }
        return out
    }

    /// A line built from parts: a random tree (sometimes very deep), points (sometimes empty,
    /// ragged or not numbers) and info fields (sometimes inconsistent).
    static func randomLine(_ random: inout FuzzRandom) -> String {
        var tree: [String]
        switch random.int(6) {
        case 0:
            let depth = random.pick([999, 1000, 1001, 5000, 100_000])
            tree = Array(repeating: random.pick(["sin", "exp", "abs"]), count: depth - 1) + ["x_0"]
        case 1:
            let depth = random.pick([500, 1001, 20_000])
            tree = Array(repeating: ["add", "x_0"], count: depth).flatMap { $0 } + ["x_0"]
        case 2, 3, 4:
            tree = Self.wellFormedTree(&random, budget: 1 + random.int(40))
        default:
            tree = (0..<(1 + random.int(30))).map { _ in random.pick(Self.tokens) }
        }
        if random.chance(0.05) { tree.shuffle(using: &random) }
        let points = random.chance(0.03) ? 0 : 1 + random.int(12)
        let dimension = random.chance(0.03) ? 0 : 1 + random.int(3)
        func number() -> String {
            random.chance(0.97)
                ? String(format: "%.3e", Double(Int64(truncatingIfNeeded: random.next()) % 2000) / 100)
                : random.pick(["nan", "inf", "-inf", "1e999", "", "x", "1e-320"])
        }
        let rows = (0..<points).map { _ in
            let width = random.chance(0.02) ? random.int(4) : dimension
            return "[" + (0..<width).map { _ in "\"\(number())\"" }.joined(separator: ", ") + "]"
        }
        let ys = (0..<(random.chance(0.02) ? random.int(4) : points)).map { _ in "[\"\(number())\"]" }
        func info(_ right: Int) -> String { random.chance(0.97) ? String(right) : String(random.interestingInt()) }
        var line = "{\"n_input_points\": \"\(info(points))\", \"n_unary_ops\": \"1\", \"n_binary_ops\": \"1\", "
        line += "\"d_in\": \"\(info(dimension))\", \"d_out\": \"1\", \"input_distribution_type\": \"0\", \"n_centroids\": \"\(info(1))\", "
        line += "\"x_to_fit\": [\(rows.joined(separator: ", "))], \"y_to_fit\": [\(ys.joined(separator: ", "))], "
        line += "\"tree\": \"\(tree.joined(separator: ","))\", \"skeleton_tree_encoded\": [\"x_0\"]"
        if random.chance(0.3) { line += ", \"target_property\": " + random.pick(["0.5", "NaN", "Infinity", "\"x\"", "1e999"]) }
        return line + "}"
    }
}
