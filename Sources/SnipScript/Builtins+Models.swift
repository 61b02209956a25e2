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
            switch a.value("f") {
            case .object(let ds as DatasetValue)?:
                let rows = side == "symbolic"
                    ? try embedExpressions(interp, m, ds.samples.map(\.tree), at: a.range("f"))
                    : try embedPoints(interp, m, ds.samples, at: a.range("f"))
                return .array(rows)
            case .list(let items)? where a.value("y") == nil && isPointPair(items):
                let sample = try pointSample(items[0], items[1], a, yName: "f")
                return .array(vectorRow(try embedPoints(interp, m, [sample], at: a.range("f"))))
            case .list(let items)?:
                let expressions = try items.enumerated().map { k, v -> SymbolicExpression in
                    guard case .function(let f) = v else {
                        throw Diagnostic(.type, "encode: item \(k) of the list is a \(v.typeName), not an expression",
                                         at: a.range("f"))
                    }
                    return try ExpressionConversion(interpreter: interp).convert(f, at: a.range("f"))
                }
                return .array(try embedExpressions(interp, m, expressions, at: a.range("f")))
            case .array?, .number?:
                guard let y = a.value("y") else {
                    throw Diagnostic(.arity, "encode(m, xs, ys): the y values of the points are missing", at: a.range)
                }
                let sample = try pointSample(a.value("f")!, y, a, yName: "y")
                return .array(vectorRow(try embedPoints(interp, m, [sample], at: a.range("f"))))
            default:
                let s = try a.expression("f", interp)
                return .array(vectorRow(try embedExpressions(interp, m, [s.expression], at: a.range("f"))))
            }
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
            let query: NDArray, candidates: NDArray
            var points: Sample?
            if case .list(let items)? = a.value("query"), isPointPair(items) {
                points = try pointSample(items[0], items[1], a, yName: "query")
            } else if let y = a.value("y") {
                points = try pointSample(a.value("query")!, y, a, yName: "y")
            }
            if let points {
                query = try embedPoints(interp, m, [points], at: a.range("query"))
                candidates = try embedExpressions(interp, m, ds.samples.map(\.tree), at: a.range("ds"))
            } else {
                let s = try a.expression("query", interp)
                query = try embedExpressions(interp, m, [s.expression], at: a.range("query"))
                candidates = try embedPoints(interp, m, ds.samples, at: a.range("ds"))
            }
            func tensor(_ a: NDArray) -> Tensor { Tensor(a.data.map(Float.init), shape: [a.rows, a.columns]) }
            let best = m.model.nearest(queries: tensor(query), candidates: tensor(candidates),
                                       symbolicQueries: points == nil, k: k)[0]
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

    static let embeddingBatch = 64

    /// Symbolic embeddings, one row per expression.
    static func embedExpressions(_ interp: Interpreter, _ m: ModelValue, _ expressions: [SymbolicExpression],
                                 at range: SourceRange) throws -> NDArray {
        let ids = try expressionIDs(m.model, expressions, at: range)
        return try embedInBatches(interp, count: ids.count, latent: m.model.config.latent, what: "expressions") { r in
            m.model.encodeSymbolic(Array(ids[r])).latent
        }
    }

    /// The token ids the symbolic encoder reads for each expression, with errors naming the
    /// expression the model cannot read (too many variables or tokens, an unknown word).
    static func expressionIDs(_ model: SNIPModel, _ expressions: [SymbolicExpression], at range: SourceRange)
        throws -> [[Int]]
    {
        let tokenizer = SampleTokenizer(config: model.config)
        return try expressions.enumerated().map { k, e -> [Int] in
            let limit = model.config.maxInputDimension
            guard e.inputDimension <= limit else {
                throw Diagnostic(.value, (expressions.count > 1 ? "item \(k): " : "") + "the model reads functions of at most "
                    + "\(limit) variable\(limit == 1 ? "" : "s"); \(ReadableInfix.text(e)) has \(e.inputDimension)", at: range)
            }
            do {
                let tokens = try tokenizer.expressionIDs(Sample(tree: e, x: [], y: [], info: placeholderInfo(0, 1), skeletonTokens: []))
                guard tokens.count + 2 <= model.config.positions else {
                    throw Diagnostic(.limit, "\(ReadableInfix.text(e)) has \(tokens.count) tokens; the model reads at most "
                        + "\(model.config.positions - 2)", at: range)
                }
                return tokens
            } catch let failure as SampleTokenizer.Failure {
                throw Diagnostic(.value, (expressions.count > 1 ? "item \(k): " : "") + "the model cannot read "
                    + "\(ReadableInfix.text(e)): \(failure)", at: range)
            }
        }
    }

    /// Numeric embeddings, one row per sample's points (y min-max scaled for models that read it so).
    static func embedPoints(_ interp: Interpreter, _ m: ModelValue, _ samples: [Sample],
                            at range: SourceRange) throws -> NDArray {
        let tokenizer = SampleTokenizer(config: m.model.config)
        let ids = try samples.enumerated().map { k, s -> [Int] in
            var s = s
            s = m.model.contract.prepared(s)
            guard s.y.count <= m.model.config.positions else {
                throw Diagnostic(.limit, "encode: \(s.y.count) points; the model reads at most \(m.model.config.positions)", at: range)
            }
            do {
                return try tokenizer.pointIDs(s)
            } catch {
                throw Diagnostic(.value, (samples.count > 1 ? "sample \(k): " : "") + "the model cannot read the points: \(error)",
                                 at: range)
            }
        }
        return try embedInBatches(interp, count: ids.count, latent: m.model.config.latent, what: "point sets") { r in
            m.model.encodeNumeric(Array(ids[r])).latent
        }
    }

    static func embedInBatches(_ interp: Interpreter, count: Int, latent: Int, what: String,
                               _ encode: (Range<Int>) -> Tensor) throws -> NDArray {
        var data: [Double] = []
        data.reserveCapacity(count * latent)
        defer { if count > embeddingBatch { interp.progress?(nil) } }
        for start in stride(from: 0, to: count, by: embeddingBatch) {
            if Interrupt.isPending { throw Diagnostic(.interrupted, "interrupted while embedding", at: nil) }
            let end = min(count, start + embeddingBatch)
            let latent = withoutGrad { encode(start..<end) }
            data += latent.scalars.map(Double.init)
            if count > embeddingBatch { interp.progress?("embedding \(what): \(end) of \(count)") }
        }
        return NDArray(shape: [count, latent], data: data)
    }
}
