import Foundation
import TestSupport
import Testing


/// A CSV of `rows` points with a header.
private func writeCSV(_ name: String, header: [String], rows: [[Double]]) throws -> String {
    let path = freshTemporaryPath(name)
    let text =
        ([header.joined(separator: ",")] + rows.map { $0.map { "\($0)" }.joined(separator: ",") })
        .joined(separator: "\n") + "\n"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

struct RegressCommandTests {
    /// Points of y = a·b (and an unused column): the formula, its R² and the JSON report.
    @Test func findsAFormulaAndWritesJSON() throws {
        var rows: [[Double]] = []
        for i in 0..<200 {
            let a = 1 + Double(i % 17) / 4
            let unused = Double(i % 5)
            let b = 0.5 + Double(i % 13) / 3
            rows.append([a, unused, b, a * b])
        }
        let data = try writeCSV("product.csv", header: ["a", "unused", "b", "force"], rows: rows)
        let out = freshTemporaryPath("product.json")
        defer {
            try? FileManager.default.removeItem(atPath: data)
            try? FileManager.default.removeItem(atPath: out)
        }
        let (status, output) = try runSnip([
            "regress", "--data", data, "--target", "force", "--time", "20", "--seed", "1",
            "--target-r2", "0.999999", "--operators", "add,sub,mul,div,sin,tan,arctan,abs,inv",
            "--out", out,
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains("x_0 = a"))
        #expect(output.contains("x_2 = b"))
        #expect(output.contains("Pareto front"))
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out)))
            as? [String: Any]
        let r2 = json?["r2"] as? Double ?? 0
        #expect(r2 > 0.999999)
        let prefix = json?["prefix"] as? String ?? ""
        #expect(prefix.split(separator: ",").count == json?["complexity"] as? Int)
        #expect(
            prefix.contains("x_0") && prefix.contains("x_2") && !prefix.contains("x_1"), "\(prefix)"
        )
        #expect((json?["pareto"] as? [[String: Any]])?.isEmpty == false)
        #expect(json?["infix"] is String)
        #expect((json?["variables"] as? [String: String])?["x_1"] == "unused")
    }

    @Test func badDataGivesClearErrors() throws {
        let good = try writeCSV(
            "good.csv", header: ["x", "y"], rows: (0..<10).map { [Double($0), Double($0 * 2)] })
        let nan = try writeCSV(
            "nan.csv", header: ["x", "y"], rows: [[1, 2], [2, .nan], [3, 4], [4, 5], [5, 6]])
        let few = try writeCSV("few.csv", header: ["x", "y"], rows: [[1, 2], [2, 3]])
        let wide = try writeCSV(
            "wide.csv", header: (0...11).map { "c\($0)" },
            rows: (0..<10).map { _ in (0...11).map(Double.init) })
        defer {
            for path in [good, nan, few, wide] { try? FileManager.default.removeItem(atPath: path) }
        }
        let cases: [([String], String)] = [
            (["--data", good, "--target", "z"], "no column 'z' (columns: x, y)"),
            (["--data", nan, "--target", "y"], "y value 1 is not finite"),
            (["--data", few, "--target", "y"], "2 points; regression needs at least 4"),
            (["--data", wide, "--target", "c0"], "x has 11 columns; at most 10 input variables"),
            (["--data", good, "--target", "y", "--time", "0"], "--time must be a number > 0"),
            (
                ["--data", good, "--target", "y", "--operators", "add,tanh"],
                "unknown operator 'tanh'"
            ),
            (["--data", good, "--target", "y", "--operators", "sin"], "needs at least one binary"),
        ]
        for (arguments, message) in cases {
            let (status, output) = try runSnip(["regress"] + arguments)
            #expect(status != 0)
            #expect(output.contains(message), "\(output)")
        }
    }

    /// Ctrl-C ends the search with the best formula so far.
    @Test func interruptKeepsTheBestSoFar() throws {
        let rows = (0..<500).map { i -> [Double] in
            let x = Double(i) / 50
            return [x, sin(x) * exp(-0.3 * x) + 0.1 * x * x * cos(3 * x)]
        }
        let data = try writeCSV("hard.csv", header: ["x", "y"], rows: rows)
        let out = freshTemporaryPath("hard.json")
        defer {
            try? FileManager.default.removeItem(atPath: data)
            try? FileManager.default.removeItem(atPath: out)
        }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("snip")
        let process = Process()
        process.executableURL = binary
        process.arguments = [
            "regress", "--data", data, "--target", "y", "--time", "60", "--target-r2", "1", "--out",
            out,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        Thread.sleep(forTimeInterval: 2)
        process.interrupt()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("interrupted: the best formula so far"))
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out)))
            as? [String: Any]
        #expect(json?["stop"] as? String == "interrupted")
    }
}
