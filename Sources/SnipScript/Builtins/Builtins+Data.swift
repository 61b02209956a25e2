import Foundation
import SnipMath
import SnipTensor

extension Builtins {
    static let data: [Builtin] = generation + properties

    static let generation: [Builtin] = [
        Builtin("generate", .data, [.def("count", .number(10)), .def("seed", .number(0)), .def("dim", .number(1)),
                                    .def("min_ops", .number(0))], doc: """
            count random expressions from SNIP's generator, as a list: generate(count=5, seed=1). dim is the \
            largest input dimension (each expression has 1 to dim variables); min_ops the least number of \
            binary operators per variable. The same seed gives the same expressions.
            """) { interp, a in
            let generator = try datasetGenerator(a, seed: a.seed("seed"), property: nil, normalize: false)
            let count = try a.int("count", min: 0, max: Value.maxListNodes)
            let samples = try generateSamples(interp, generator, count: count, at: a.range)
            return try Value.checkedList(samples.map { .function(.expression(SymbolicFunction($0.tree))) }, at: a.range)
        },
        Builtin("dataset", .data, [.def("count", .number(100)), .def("seed", .number(0)), .opt("property"),
                                   .def("dim", .number(1)), .def("min_ops", .number(0)), .def("normalize", .bool(true)),
                                   .def("exact", .bool(false))], doc: """
            count samples of SNIP's generator (an expression and 200 points each) as a dataset: \
            dataset(count=500, seed=1, property="ncr"). property ("ncr", "upward", "yavg" or "oscil", 1-D only) \
            is stored with each sample; normalize scales y to [0, 1] as the shipped model was trained; exact \
            computes ncr over all triples instead of 1000 random ones; dim and min_ops as for generate. \
            ds[i] is a sample with fields "f", "x", "y" and the property; len(ds) and for s in ds work.
            """) { interp, a in
            let property = try a.property("property")
            let dim = try a.int("dim", min: 1, max: 10)
            if property != nil && dim != 1 {
                throw Diagnostic(.value, "dataset: properties are defined for 1-D functions; use dim=1", at: a.range("dim"))
            }
            let generator = try datasetGenerator(a, seed: a.seed("seed"), property: property,
                                                 normalize: try a.bool("normalize"), exact: try a.bool("exact"))
            let count = try a.int("count", min: 1, max: 1_000_000)
            let samples = try generateSamples(interp, generator, count: count, at: a.range)
            return .object(DatasetValue(samples: samples, property: property,
                                        origin: "generated with seed \(generator.seed)"))
        },
        Builtin("sample", .data, [.req("f"), .def("n", .number(200)), .def("seed", .number(0)),
                                  .def("normalize", .bool(false))], doc: """
            n points of f drawn the SNIP way (Gaussian or uniform clusters around random centroids, \
            standardised), as [xs, ys]; xs is a vector for one variable and an n×d matrix otherwise. Points \
            where f is undefined or too large make it draw again. normalize scales ys to [0, 1].
            """) { interp, a in
            let s = try a.expression("f", interp)
            var c = GeneratorConfiguration(maxInputDimension: s.dimension)
            c.pointCount = try a.int("n", min: 3, max: 100_000)
            c.normalizeY = try a.bool("normalize")
            var random = NumpyLegacyRandom(key: [try a.seed("seed"), 0])
            guard let (x, y, _) = ExpressionGenerator(configuration: c).samplePoints(for: s.expression, source: &random) else {
                throw Diagnostic(.domain, "sample: \(s.infix) is undefined or beyond 1e\(c.maxExponent) at some of the "
                    + "points in each of 100 draws", at: a.range("f"))
            }
            return .list([DatasetValue.inputs(x), .array(NDArray(vector: y))])
        },
        Builtin("grid", .data, [.req("f"), .req("a"), .req("b"), .def("n", .number(200))], doc: """
            f at n evenly spaced points of [a, b], as [xs, ys] (one-variable functions).
            """) { interp, a in
            let (xs, ys) = try gridPoints(interp, a, function: "f", lo: "a", hi: "b")
            return .list([.array(NDArray(vector: xs)), .array(NDArray(vector: ys))])
        },
        Builtin("load_data", .data, [.req("path"), .opt("count"), .opt("property")], doc: """
            A dataset read from a data.prefix file (snip generate's or the reference's format); count keeps \
            the first samples; property names what the file's target_property holds.
            """) { interp, a in
            let path = try a.string("path")
            let limit = a.value("count") == nil ? Int.max : try a.int("count", min: 1, max: 10_000_000)
            let property = try a.property("property")
            guard interp.allowsFiles else { throw Diagnostic(.file, "load_data: files are disabled here", at: a.range) }
            do {
                let reader = try LineReaderFile(path: interp.resolvePath(path), displayPath: path, at: a.range("path"))
                var samples: [Sample] = []
                while samples.count < limit, let line = reader.next() {
                    if line.isEmpty { continue }
                    // the tree's depth is checked before SnipMath builds it
                    if let depth = treeDepth(inDataPrefixLine: line) {
                        try ExpressionDepth.check(depth, "load_data: \(path):\(reader.lineNumber): the tree",
                                                  at: a.range("path"))
                    }
                    do {
                        samples.append(try Sample(dataPrefixLine: line))
                    } catch let e as DataPrefixError {
                        throw Diagnostic(.file, "load_data: \(path):\(reader.lineNumber): \(e.reason)",
                                         at: a.range("path"))
                    }
                    if samples.count % 256 == 0 { try interp.tick(a.range) }
                }
                let stored = samples.contains { $0.targetProperty != nil }
                if property != nil && !stored {
                    throw Diagnostic(.value, "load_data: \(path) has no target_property values", at: a.range("property"))
                }
                return .object(DatasetValue(samples: samples, property: stored ? property : nil, origin: path))
            } catch let e as DataPrefixError {
                throw Diagnostic(.file, "load_data: \(e)", at: a.range("path"))
            }
        },
        Builtin("save_data", .data, [.req("ds"), .req("path")], doc: """
            Writes a dataset as a data.prefix file (one JSON line per sample, the reference's format).
            """) { interp, a in
            let ds = try a.dataset("ds")
            let path = try a.string("path")
            guard interp.allowsFiles else { throw Diagnostic(.file, "save_data: files are disabled here", at: a.range) }
            do {
                let writer = try DataPrefixWriter(path: interp.resolvePath(path))
                for s in ds.samples { try writer.write(s) }
                writer.close()
            } catch {
                throw Diagnostic(.file, "save_data: \(describeSystemError(error, path: path))", at: a.range("path"))
            }
            return .nothing
        },
    ]

    /// The depth of the prefix tree in the `"tree"` field of a data.prefix line (nil when the
    /// line has no such field; reading it then reports the problem).
    static func treeDepth(inDataPrefixLine line: String) -> Int? {
        let bytes = Array(line.utf8)
        let key = Array("\"tree\"".utf8)
        guard bytes.count >= key.count else { return nil }
        var i = 0
        while i + key.count <= bytes.count {
            if bytes[i] == key[0] && Array(bytes[i..<i + key.count]) == key { break }
            i += 1
        }
        guard i + key.count <= bytes.count else { return nil }
        i += key.count
        while i < bytes.count && bytes[i] != UInt8(ascii: "\"") { i += 1 }  // past ':' and blanks
        i += 1
        var end = i
        while end < bytes.count && bytes[end] != UInt8(ascii: "\"") { end += 1 }
        guard i <= end else { return nil }
        let text = String(decoding: bytes[i..<end], as: UTF8.self)
        return ExpressionDepth.ofPrefix(text.split(separator: ",", omittingEmptySubsequences: false))
    }

    /// The generator `generate` and `dataset` configure from their arguments.
    static func datasetGenerator(_ a: BoundArguments, seed: UInt32, property: FunctionProperty?, normalize: Bool,
                                 exact: Bool = false) throws -> DatasetGenerator {
        var c = GeneratorConfiguration(maxInputDimension: try a.int("dim", min: 1, max: 10))
        c.minBinaryOpsPerDimension = try a.int("min_ops", min: 0, max: 5)
        c.maxBinaryOpsPerDimension = max(c.maxBinaryOpsPerDimension, c.minBinaryOpsPerDimension)
        c.normalizeY = normalize
        return DatasetGenerator(generator: ExpressionGenerator(configuration: c), seed: seed, property: property,
                                exactNCR: exact)
    }

    /// Samples 0..<count of `generator`, on all cores, showing progress; Ctrl-C stops it.
    static func generateSamples(_ interp: Interpreter, _ generator: DatasetGenerator, count: Int,
                                at range: SourceRange) throws -> [Sample] {
        var samples: [Sample] = []
        samples.reserveCapacity(count)
        let block = 64
        let round = block * max(1, Runtime.threadCount) * 2
        defer { interp.progress?(nil) }
        for start in stride(from: 0, to: count, by: round) {
            try interp.tick(range)
            let end = min(count, start + round)
            let blocks = (end - start + block - 1) / block
            let results = UnsafeSendable(UnsafeMutablePointer<[Sample]>.allocate(capacity: blocks))
            results.value.initialize(repeating: [], count: blocks)
            DispatchQueue.concurrentPerform(iterations: blocks) { b in
                let lo = start + b * block
                results.value[b] = (lo..<min(end, lo + block)).map { generator.sample(at: $0) }
            }
            for b in 0..<blocks { samples += results.value[b] }
            results.value.deinitialize(count: blocks)
            results.value.deallocate()
            if count > round { interp.progress?("generating: \(samples.count) of \(count) samples") }
        }
        return samples
    }

    /// `f` on n evenly spaced points of [lo, hi] (arguments named by the caller).
    static func gridPoints(_ interp: Interpreter, _ a: BoundArguments, function: String, lo: String, hi: String)
        throws -> ([Double], [Double])
    {
        guard case .function(let f)? = a.value(function) else { throw a.typeError(function, "a function or an expression") }
        if case .expression(let s) = f, s.dimension != 1 {
            throw Diagnostic(.value, "'\(a.builtin.name)': \(s.infix) has \(s.dimension) variables; a grid needs one",
                             at: a.range(function))
        }
        let low = try a.number(lo), high = try a.number(hi)
        guard low.isFinite, high.isFinite, low < high else {
            throw Diagnostic(.value, "'\(a.builtin.name)': the interval needs finite ends \(lo) < \(hi), got "
                + "[\(formatNumber(low)), \(formatNumber(high))]", at: a.range(hi))
        }
        let n = try a.int("n", min: 3, max: 1_000_000)
        let xs = (0..<n).map { $0 == n - 1 ? high : low + (high - low) * Double($0) / Double(n - 1) }
        return (xs, try interp.callOnSamples(f, xs, at: a.range(function)))
    }
}

/// The lines of a text file, read one at a time (getline), without their line ends.
final class LineReaderFile {
    private var file: UnsafeMutablePointer<FILE>?
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0
    /// The number of the last line read (1-based).
    private(set) var lineNumber = 0

    init(path: String, displayPath: String, at range: SourceRange) throws {
        guard let f = fopen(path, "r") else {
            throw Diagnostic(.file, "load_data: \(displayPath): cannot open: \(String(cString: strerror(errno)))", at: range)
        }
        file = f
    }

    deinit {
        if let file { fclose(file) }
        free(buffer)
    }

    /// The next line, or nil at the end of the file.
    func next() -> String? {
        guard let f = file else { return nil }
        let n = getline(&buffer, &capacity, f)
        guard n >= 0, let b = buffer else { return nil }
        lineNumber += 1
        var length = n
        if length > 0 && b[length - 1] == 0x0A { length -= 1 }
        if length > 0 && b[length - 1] == 0x0D { length -= 1 }
        return b.withMemoryRebound(to: UInt8.self, capacity: max(length, 1)) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}
