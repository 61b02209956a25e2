import SnipMath
import SnipModel
import SnipSystem

extension Builtins {
    /// The model report and t-SNE maps (the measurements behind docs/MODELS.md).
    static let modelReports: [Builtin] = [
        Builtin("model_report", .models, [.req("m"), .req("ds"), .def("tolerance", .number(0.01))], doc: """
            How meaningful a model's embeddings are on a dataset (what snip evaluate-model prints): retrieval \
            among the dataset's functions both ways (points_to_formula, formula_to_points: top1 and top10 hit \
            rates counting look-alikes — a retrieved formula whose graph on the query's x, min-max scaled, lies \
            within RMSE tolerance of the query's scaled y — with their chance levels, the exact rates, \
            distinct_answers and largest_hub: how many candidates ever come first and the share of queries the \
            commonest one wins; curved_share and curved_points_to_formula, curved_formula_to_points: the same \
            for the functions whose scaled graph is not a straight line — straight lines all look alike, so \
            they are the easy half; straight_points_to_formula, straight_formula_to_points: the same for the \
            straight lines, where a miss is a line of the other direction or a curved formula), and \
            property probes (5-fold R² of k-NN (k = 10, cosine) and ridge regressions of ncr, upward, yavg and \
            oscil from z_f and z_y, for 1-D functions: knn_z_f, knn_z_y, ridge_z_f, ridge_z_y; beside them \
            ceiling_z_f, the R² of a predictor that knows only the formula (its property averaged over fresh \
            point draws), knn_reach_z_f, what the k-NN probe reaches with that predictor as the embedding, and \
            knn_z_f_redraw, the z_f k-NN probe scored against those redraw means instead of the functions' own \
            points; nothing when not measured). A record; r["summary"] is the text report.
            """) { interp, a in
            let m = try a.model("m")
            let ds = try a.dataset("ds")
            let tolerance = try a.number("tolerance")
            guard tolerance.isFinite, tolerance >= 0 else {
                throw Diagnostic(.value, "model_report: tolerance must be a number ≥ 0", at: a.range("tolerance"))
            }
            guard ds.samples.count >= 2 else {
                throw Diagnostic(.value, "model_report: needs at least 2 functions, got \(ds.samples.count)", at: a.range("ds"))
            }
            defer { interp.progress?(nil) }
            let measured: (report: ModelReport, embeddings: Embeddings)?
            do {
                measured = try ModelReport.measure(
                    model: m.model, samples: ds.samples, lookAlikeTolerance: tolerance, progress: { interp.progress?($0) },
                    shouldStop: { Interrupt.isPending })
            } catch let error as EmbeddingError {
                throw Diagnostic(.value, "model_report: the model cannot read sample \(error.index): \(error.reason)", at: a.range("ds"))
            }
            guard let report = measured?.report else { throw Diagnostic(.interrupted, "interrupted while measuring", at: nil) }
            return .object(reportRecord(report))
        },
        Builtin("tsne", .models, [.req("x"), .def("perplexity", .number(30)), .def("seed", .number(0)),
                                  .def("iterations", .number(1000))], doc: """
            A t-SNE map of the rows of a matrix (embeddings, one per row), as in the SNIP paper's latent-space \
            figures: an n×2 matrix. Barnes–Hut forces, so thousands of rows take seconds; the same seed gives the \
            same map. perplexity is the effective number of neighbours each row keeps close.
            """) { _, a in
            let x = try a.array("x")
            guard !x.isVector, x.rows >= 3 else {
                throw Diagnostic(.shape, "tsne: needs a matrix of at least 3 rows", at: a.range("x"))
            }
            let perplexity = try a.number("perplexity")
            guard perplexity >= 1, perplexity < Double(x.rows) else {
                throw Diagnostic(.value, "tsne: perplexity must be at least 1 and below the row count \(x.rows)",
                                 at: a.range("perplexity"))
            }
            var tsne = TSNE(perplexity: perplexity, seed: UInt64(try a.int("seed", min: 0, max: Int(Int32.max))))
            tsne.iterations = try a.int("iterations", min: 1, max: 100_000)
            let rows = (0..<x.rows).map { r in Array(x.data[(r * x.columns)..<((r + 1) * x.columns)]) }
            let map = tsne.embed(rows, shouldStop: { Interrupt.isPending })
            if Interrupt.isPending { throw Diagnostic(.interrupted, "interrupted in tsne", at: nil) }
            return .array(NDArray(shape: [x.rows, 2], data: map.flatMap { $0 }))
        },
    ]

    static func reportRecord(_ report: ModelReport) -> Record {
        func direction(_ d: ModelReport.Direction) -> Value {
            .object(Record("retrieval", [
                ("top1", .number(d.top1.lookAlike)), ("top1_chance", .number(d.top1.lookAlikeChance)),
                ("top10", .number(d.top10.lookAlike)), ("top10_chance", .number(d.top10.lookAlikeChance)),
                ("exact_top1", .number(d.top1.exact)), ("exact_top10", .number(d.top10.exact)),
                ("exact_chance", .number(d.top1.exactChance)),
                ("distinct_answers", .number(Double(d.distinctAnswers ?? 0))), ("largest_hub", .number(d.largestHub ?? 0)),
            ]))
        }
        func probes(_ embedding: String, _ value: (ModelReport.Probe) -> Double) -> Value {
            .object(Record("probes", report.probes.filter { $0.embedding == embedding }.map { ($0.property, .number(value($0))) }))
        }
        func byProperty(_ values: [String: Double]?) -> Value {
            guard let values else { return .nothing }
            return .object(Record("probes", FunctionProperty.allCases.compactMap { p in
                values[p.rawValue].map { (p.rawValue, .number($0)) }
            }))
        }
        return Record("model_report", [
            ("functions", .number(Double(report.functions))),
            ("points_to_formula", direction(report.pointsToFormula)),
            ("formula_to_points", direction(report.formulaToPoints)),
            ("curved_share", .number(report.curvedShare ?? 0)),
            ("curved_points_to_formula", report.curvedPointsToFormula.map(direction) ?? .nothing),
            ("curved_formula_to_points", report.curvedFormulaToPoints.map(direction) ?? .nothing),
            ("straight_points_to_formula", report.straightPointsToFormula.map(direction) ?? .nothing),
            ("straight_formula_to_points", report.straightFormulaToPoints.map(direction) ?? .nothing),
            ("median_look_alikes", .number(report.medianLookAlikes)),
            ("own_cosine", .number(report.ownCosine)), ("other_cosine", .number(report.otherCosine)),
            ("knn_z_f", probes("z_f", \.nearestNeighbor)), ("knn_z_y", probes("z_y", \.nearestNeighbor)),
            ("ridge_z_f", probes("z_f", \.ridge)), ("ridge_z_y", probes("z_y", \.ridge)),
            ("ceiling_z_f", byProperty(report.formulaOnly)), ("knn_reach_z_f", byProperty(report.formulaOnlyNearestNeighbors)),
            ("knn_z_f_redraw", byProperty(report.symbolicAgainstRedrawMean)),
            ("summary", .string(report.summary)),
        ])
    }
}
