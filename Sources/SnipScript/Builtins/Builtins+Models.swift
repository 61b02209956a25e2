import Foundation
import SnipMath
import SnipModel
import SnipNN
import SnipSystem
import SnipTensor

extension Builtins {
    static let models: [Builtin] = [
        Builtin("model", .models, [.def("name", .string("default")), .def("seed", .number(0))], doc: """
            A SNIP model: model() is the pre-trained model shipped with snip for functions of one variable \
            (small, y scaled to [0, 1]); model("10d") the shipped one for up to 10 variables (raw y); model(ds) \
            the shipped one for a dataset's dimension; model("small") and model("paper") are new, untrained \
            models of those sizes (weights from seed).
            """) { _, a in
            var shipped: ShippedModel?
            if case .object(let ds as DatasetValue)? = a.value("name") {
                shipped = ShippedModel.forDimension(ds.samples.map { $0.x.first?.count ?? 1 }.max() ?? 1)
            }
            let name = shipped == nil ? try a.string("name") : "default"
            switch name {
            case "default", "shipped", "1d", "10d":
                let which = shipped ?? (name == "10d" ? .tenDimensional : .oneDimensional)
                do {
                    return .object(ModelValue(model: try SNIPModel.shipped(which), origin: "the shipped model "
                        + which.fileName, isPretrained: true))
                } catch {
                    throw Diagnostic(.file, "model: \(describeSystemError(error))", at: a.range)
                }
            case "small", "paper":
                let config: ModelConfig = name == "small" ? .small() : .paper()
                let seed = UInt64(try a.int("seed", min: 0, max: Int(UInt32.max)))
                do {
                    return .object(ModelValue(model: try SNIPModel(config: config, seed: seed),
                                              origin: "a new \(name) model (seed \(seed))", isPretrained: false))
                } catch {
                    throw Diagnostic(.value, "model: \(describeSystemError(error))", at: a.range)
                }
            default:
                throw Diagnostic(.value, "model: unknown model \"\(name)\" (\"default\", \"10d\", \"small\" or \"paper\"; "
                    + "load_model reads a file)", at: a.range("name"))
            }
        },
        Builtin("load_model", .models, [.req("path"), .opt("normalize_y")], doc: """
            A model read from a checkpoint: snip's .safetensors (from save_model, snip pretrain or snip convert) \
            or the reference's PyTorch .pth. Whether it reads y scaled to [0, 1] comes from the checkpoint \
            (encode, nearest and model_report then scale the y of points the same way; pretrain generates such \
            data); normalize_y=true or false overrides it, and decides for files that do not record it (true \
            when left out).
            """) { interp, a in
            let path = try a.string("path")
            guard interp.allowsFiles else { throw Diagnostic(.file, "load_model: files are disabled here", at: a.range) }
            do {
                let model = try SNIPModel.load(interp.resolvePath(path))
                let override = a.value("normalize_y") == nil ? nil : try a.bool("normalize_y")
                return .object(ModelValue(model: model, origin: path, isPretrained: true,
                                          normalizesY: override ?? (model.contractIsRecorded ? nil : true)))
            } catch {
                throw Diagnostic(.file, "load_model: \(describeSystemError(error, path: path))", at: a.range("path"))
            }
        },
        Builtin("save_model", .models, [.req("m"), .req("path")], doc: """
            Writes a model (or a predictor's model) to a .safetensors file, atomically.
            """) { interp, a in
            let model: SNIPModel
            if case .object(let p as PredictorValue)? = a.value("m") { model = p.model } else { model = try a.model("m").model }
            let path = try a.string("path")
            guard interp.allowsFiles else { throw Diagnostic(.file, "save_model: files are disabled here", at: a.range) }
            guard path.hasSuffix(".safetensors") else {
                throw Diagnostic(.file, "save_model: the file name must end in .safetensors, not '\(path)'", at: a.range("path"))
            }
            do {
                try model.save(to: interp.resolvePath(path))
            } catch {
                throw Diagnostic(.file, "save_model: \(describeSystemError(error, path: path))", at: a.range("path"))
            }
            return .nothing
        },
        Builtin("encode", .models, [.req("m"), .req("f"), .opt("y"), .def("side", .string("symbolic"))], doc: """
            Embeddings (SNIP's latent vectors). encode(m, f): of an expression or function, by the symbolic \
            encoder; encode(m, xs, ys) or encode(m, [xs, ys]): of points, by the numeric encoder (y scaled to \
            [0, 1] first for models trained that way, as the shipped one); encode(m, fs) of a list of \
            expressions and encode(m, ds, side="symbolic" | "numeric") of a dataset give one row per item.
            """) { interp, a in
            let m = try a.model("m")
            let side = try a.string("side")
            guard side == "symbolic" || side == "numeric" else {
                throw Diagnostic(.value, "encode: side must be \"symbolic\" or \"numeric\", not \"\(side)\"", at: a.range("side"))
            }
            let rows: Tensor
            switch a.value("f") {
            case .object(let ds as DatasetValue)?:
                rows = try embed(interp, m, ds.samples, side: side == "symbolic" ? .symbolic : .numeric, at: a.range("f"))
                return .array(NDArray(tensor: rows))
            case .list(let items)? where a.value("y") == nil && isPointPair(items):
                rows = try embed(interp, m, [try pointSample(items[0], items[1], a, yName: "f")], side: .numeric, at: a.range("f"))
            case .list(let items)?:
                let expressions = try items.enumerated().map { k, v -> SymbolicExpression in
                    guard case .function(let f) = v else {
                        throw Diagnostic(.type, "encode: item \(k) of the list is a \(v.typeName), not an expression",
                                         at: a.range("f"))
                    }
                    return try ExpressionConversion(interpreter: interp).convert(f, at: a.range("f"))
                }
                return .array(NDArray(tensor: try embed(interp, m, expressionSamples(expressions), side: .symbolic, at: a.range("f"))))
            case .array?, .number?:
                guard let y = a.value("y") else {
                    throw Diagnostic(.arity, "encode(m, xs, ys): the y values of the points are missing", at: a.range)
                }
                rows = try embed(interp, m, [try pointSample(a.value("f")!, y, a, yName: "y")], side: .numeric, at: a.range("f"))
            default:
                let s = try a.expression("f", interp)
                rows = try embed(interp, m, expressionSamples([s.expression]), side: .symbolic, at: a.range("f"))
            }
            return .array(NDArray(vector: rows.scalars.map(Double.init)))
        },
        Builtin("similarity", .models, [.req("a"), .req("b")], doc: """
            Cosine similarity of embeddings: a number for two vectors, a vector for a matrix and a vector \
            (one value per row), a matrix for two matrices (rows of a against rows of b).
            """) { _, a in
            let x = try a.array("a"), y = try a.array("b")
            guard x.columns == y.columns else {
                throw Diagnostic(.shape, "similarity: embeddings of \(x.columns) and \(y.columns) values cannot be compared",
                                 at: a.range("b"))
            }
            let xs = unitRows(x), ys = unitRows(y)
            let k = x.columns
            let n = x.rows, m = y.rows
            var out = [Double](repeating: 0, count: n * m)
            for i in 0..<n {
                for j in 0..<m {
                    var s = 0.0
                    for t in 0..<k { s += xs[i * k + t] * ys[j * k + t] }
                    out[i * m + j] = s
                }
            }
            if x.isVector && y.isVector { return .number(out[0]) }
            if x.isVector || y.isVector { return .array(NDArray(vector: out)) }
            return .array(NDArray(shape: [n, m], data: out))
        },
        Builtin("nearest", .models, [.req("m"), .req("query"), .req("ds"), .def("k", .number(5)), .opt("y")], doc: """
            Retrieval across modalities: for an expression, the k samples of the dataset whose points match it \
            best; for points (nearest(m, xs, ds, y=ys), or the [xs, ys] that sample returns), the k samples \
            whose expressions match best. Scores are those the model was trained with (its checkpoint says \
            which): the CLIP score z_f · z_y, or their cosine for models trained on normalised embeddings. Returns a list of records with fields "index", "score", "f".
            """) { interp, a in
            let m = try a.model("m")
            let ds = try a.dataset("ds")
            let k = try a.int("k", min: 1, max: max(1, ds.samples.count))
            guard !ds.samples.isEmpty else { throw Diagnostic(.value, "nearest: the dataset is empty", at: a.range("ds")) }
            // points query expressions, an expression queries point sets
            let query: Sample, side: EncoderSide
            if case .list(let items)? = a.value("query"), isPointPair(items) {
                (query, side) = (try pointSample(items[0], items[1], a, yName: "query"), .numeric)
            } else if let y = a.value("y") {
                (query, side) = (try pointSample(a.value("query")!, y, a, yName: "y"), .numeric)
            } else {
                (query, side) = (expressionSamples([try a.expression("query", interp).expression])[0], .symbolic)
            }
            let queries = try embed(interp, m, [query], side: side, at: a.range("query"))
            let candidates = try embed(interp, m, ds.samples, side: side == .symbolic ? .numeric : .symbolic, at: a.range("ds"))
            let best = m.model.nearest(queries: queries, candidates: candidates, symbolicQueries: side == .symbolic, k: k)[0]
            return .list(best.map { match in
                .object(Record("match", [("index", .number(Double(match.index))), ("score", .number(Double(match.score))),
                                         ("f", .function(.expression(SymbolicFunction(ds.samples[match.index].tree))))]))
            })
        },
        Builtin("pca", .models, [.req("x"), .def("k", .number(2))], doc: """
            The rows of a matrix (embeddings, one per row) projected on their k principal directions (those \
            of largest variance), as embed_plot draws them: an n×k matrix.
            """) { _, a in
            let x = try a.array("x")
            guard !x.isVector, x.rows >= 2 else {
                throw Diagnostic(.shape, "pca: needs a matrix of at least 2 rows", at: a.range("x"))
            }
            let k = try a.int("k", min: 1, max: x.columns)
            return .array(NDArray(shape: [x.rows, k], data: principalComponents(x, count: k)))
        },
    ] + training

    // MARK: - Embedding helpers

    /// Whether a list is `[xs, ys]` as `sample` and `grid` return.
    static func isPointPair(_ items: [Value]) -> Bool {
        guard items.count == 2, case .array = items[0], case .array(let y) = items[1], y.isVector else { return false }
        return true
    }

    /// A sample of points (inputs as a vector or an n×d matrix, y as a vector).
    static func pointSample(_ x: Value, _ y: Value, _ a: BoundArguments, yName: String) throws -> Sample {
        guard case .array(let xs) = x else { throw a.typeError(yName, "points: a vector or matrix of x") }
        guard case .array(let ys) = y, ys.isVector else { throw a.typeError(yName, "a vector of y values") }
        let rows: [[Double]] = xs.isVector ? xs.data.map { [$0] }
            : (0..<xs.rows).map { Array(xs.data[$0 * xs.columns..<($0 + 1) * xs.columns]) }
        guard rows.count == ys.count else {
            throw Diagnostic(.shape, "'\(a.builtin.name)': \(rows.count) points and \(ys.count) y values", at: a.range(yName))
        }
        guard rows.count >= 1 else { throw Diagnostic(.value, "'\(a.builtin.name)': no points", at: a.range(yName)) }
        if let bad = ys.data.firstIndex(where: { !$0.isFinite }) {
            throw Diagnostic(.domain, "'\(a.builtin.name)': y[\(bad)] is \(formatNumber(ys.data[bad])); points must be finite",
                             at: a.range(yName))
        }
        return Sample(tree: .variable(0), x: rows, y: ys.data, info: placeholderInfo(rows.count, rows[0].count),
                      skeletonTokens: [])
    }

    static func placeholderInfo(_ n: Int, _ d: Int) -> SampleInfo {
        SampleInfo(inputPointCount: n, unaryOperatorCount: 0, binaryOperatorCount: 0, inputDimension: d,
                   outputDimension: 1, inputDistributionType: 0, centroidCount: 0)
    }

    static func vectorRow(_ m: NDArray) -> NDArray { NDArray(vector: m.data) }

    static func unitRows(_ a: NDArray) -> [Double] {
        let k = a.columns
        var out = a.data
        for r in 0..<(k == 0 ? 0 : a.count / k) {
            let norm = (0..<k).reduce(0.0) { $0 + a.data[r * k + $1] * a.data[r * k + $1] }.squareRoot()
            for t in 0..<k { out[r * k + t] = norm > 0 ? a.data[r * k + t] / norm : 0 }
        }
        return out
    }

    /// Expressions as the samples the model's symbolic encoder reads (no points).
    static func expressionSamples(_ expressions: [SymbolicExpression]) -> [Sample] {
        expressions.map { Sample(tree: $0, x: [], y: [], info: placeholderInfo(0, 1), skeletonTokens: []) }
    }

    /// The model's latents of `samples` from one encoder (`SNIPModel.embed`), one row each:
    /// progress on the status line for long lists, Ctrl-C between batches, and what the model
    /// cannot read as a diagnostic at `range`.
    static func embed(_ interp: Interpreter, _ m: ModelValue, _ samples: [Sample], side: EncoderSide,
                      at range: SourceRange) throws -> Tensor {
        if side == .symbolic { try checkDimensions(m.model, samples, at: range) }
        let what = side == .symbolic ? "expressions" : "point sets"
        let shown = samples.count > 64  // more than one batch
        defer { if shown { interp.progress?(nil) } }
        do {
            let rows = try m.model.embed(samples, side: side, progress: { done in
                if shown { interp.progress?("embedding \(what): \(done) of \(samples.count)") }
            }, shouldStop: { Interrupt.isPending })
            guard let rows else { throw Diagnostic(.interrupted, "interrupted while embedding", at: nil) }
            return rows
        } catch let error as EmbeddingError {
            throw diagnostic(error, samples, at: range)
        }
    }

    /// The equation-token ids the model reads for each expression sample.
    static func expressionIDs(_ model: SNIPModel, _ samples: [Sample], at range: SourceRange) throws -> [[Int]] {
        try checkDimensions(model, samples, at: range)
        do {
            return try model.tokenIDs(samples, sides: [.symbolic]).expressions!
        } catch {
            throw diagnostic(error, samples, at: range)
        }
    }

    /// Refuses expressions of more variables than the model reads, naming the expression.
    static func checkDimensions(_ model: SNIPModel, _ samples: [Sample], at range: SourceRange) throws {
        let limit = model.config.maxInputDimension
        guard let k = samples.firstIndex(where: { $0.tree.inputDimension > limit }) else { return }
        let e = samples[k].tree
        throw Diagnostic(.value, (samples.count > 1 ? "item \(k): " : "") + "the model reads functions of at most "
            + "\(limit) variable\(limit == 1 ? "" : "s"); \(ReadableInfix.text(e)) has \(e.inputDimension)", at: range)
    }

    /// What the model could not read, as a diagnostic naming the expression or the sample.
    static func diagnostic(_ error: EmbeddingError, _ samples: [Sample], at range: SourceRange) -> Diagnostic {
        let text = ReadableInfix.text(samples[error.index].tree)
        let item = samples.count > 1 ? (error.side == .symbolic ? "item \(error.index): " : "sample \(error.index): ") : ""
        switch (error.side, error.problem) {
        case (.symbolic, .tooManyTokens(let count, let limit)):
            return Diagnostic(.limit, "\(text) has \(count) tokens; the model reads at most \(limit)", at: range)
        case (.symbolic, _):
            return Diagnostic(.value, item + "the model cannot read \(text): \(error.reason)", at: range)
        case (.numeric, .tooManyPoints):
            return Diagnostic(.limit, "encode: " + error.reason, at: range)
        case (.numeric, _):
            return Diagnostic(.value, item + "the model cannot read the points: \(error.reason)", at: range)
        }
    }
}
