import ArgumentParser
import Foundation
import SnipMath
import SnipModel
import SnipPlot
import SnipSystem

/// `snip evaluate-model`: the model report (look-alike-aware retrieval and property probes).
struct EvaluateModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-model",
        abstract: "Report how meaningful a model's embeddings are: retrieval both ways and property probes.",
        discussion: """
            Embeds the first --count functions of a data.prefix file (the model's contract \
            applied: y scaled to [0, 1] for models trained so) and reports:

            retrieval among all of them by the model's score (z_f · z_y, or the cosine for \
            models trained on normalised embeddings), points → formula and formula → points, \
            top-1 and top-10, both exact (the function's own partner) and look-alike-aware (a \
            hit when the retrieved formula, evaluated at the query's x and min-max scaled, lies \
            within RMSE --tolerance of the query's scaled y), each beside its chance level;

            property probes: ncr, upward, yavg and oscil of each 1-D function's points, read \
            off z_f and off z_y by k-NN regression (k = 10, cosine) and by ridge regression, \
            as 5-fold cross-validated R² (0 = the mean predictor). Beside them, what the \
            formula alone can explain (each formula's points drawn afresh 8 times: the mean \
            of its properties as the prediction), and the k-NN probe given those means as \
            its embedding: part of each property belongs to the draw of the points, which no \
            z_f can know.

            --json writes the whole report; --maps DIR writes PNG maps (the first two \
            principal components of z_f and of z_y, coloured by each property).
            """)

    @Option(help: "A model checkpoint, or 1d / 10d for a shipped model (default: the shipped model for the data's dimension).")
    var model: String?

    @Option(help: "Test functions (data.prefix), e.g. from snip generate with a seed training never used.")
    var data: String

    @Option(help: "Use the first N functions of the file.")
    var count = 1000

    @Option(help: "Functions per encoder batch.")
    var batchSize = 64

    @Option(help: "RMSE on min-max scaled graphs below which two functions look alike.")
    var tolerance = 0.01

    @Option(help: "Write the report as JSON to this file.")
    var json: String?

    @Option(help: "Write embedding maps (PNG, one per embedding and property) into this folder.")
    var maps: String?

    @Flag(help: "Draw the maps with t-SNE (perplexity 30, seed 0) instead of PCA.")
    var tsne = false

    func validate() throws {
        try Flags.check(count, "--count", in: 2...Flags.maxRetrievalCandidates)
        try Flags.check(batchSize, "--batch-size", in: 1...4096)
        guard tolerance.isFinite, tolerance >= 0 else { throw ValidationError("--tolerance must be a number ≥ 0") }
    }

    func run() throws {
        Interrupt.install(.stopAndSave(announce: true, action: "stopping, without a report"))
        defer { Interrupt.uninstall() }
        try reportingErrors {
            let (samples, lines) = try firstSamples(of: data, count: count)
            guard samples.count >= 2 else { throw ValidationError("\(data): need at least 2 functions, found \(samples.count)") }
            let shipped = model.flatMap(ShippedModel.init(rawValue:))
                ?? (model == nil ? ShippedModel.forDimension(samples.map { $0.x.first?.count ?? 1 }.max() ?? 1) : nil)
            let loaded = try shipped.map { try SNIPModel.shipped($0) } ?? SNIPModel.load(model!)
            let status = StatusLine()
            let measured: (report: ModelReport, embeddings: Embeddings)?
            do {
                measured = try ModelReport.measure(
                    model: loaded, samples: samples, batchSize: batchSize, lookAlikeTolerance: tolerance,
                    progress: { status.show($0) }, shouldStop: { Interrupt.isPending })
            } catch let error as EmbeddingError {
                throw DataPrefixError(file: data, line: lines[error.index], reason: error.reason)
            }
            status.finish()
            guard let (report, embeddings) = measured else {
                note("interrupted: no report")
                throw ExitCode(130)
            }
            print("model \(shipped.map { "(shipped) " + $0.fileName } ?? model!): \(loaded.contract.summary)")
            print(report.summary)
            if let json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                let output = try AtomicFile.Writer(path: json)
                defer { output.discard() }
                try output.write(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n")
                try output.commit()
            }
            if let maps { try writeMaps(embeddings, folder: maps) }
        }
    }

    private func writeMaps(_ embeddings: Embeddings, folder: String) throws {
        guard !embeddings.probeRows.isEmpty else {
            note("no maps: the properties are defined for one-dimensional functions only")
            return
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let gnuplot = try Gnuplot()
        defer { gnuplot.close() }
        for (name, rows) in [("z_f", embeddings.symbolic), ("z_y", embeddings.numeric)] {
            let picked = embeddings.probeRows.map { rows[$0] }
            let points: [[Double]]
            if tsne {
                points = TSNE(perplexity: 30, seed: 0).embed(picked)
            } else {
                let pca = PrincipalComponents(picked, count: 2)
                points = picked.map(pca.project)
            }
            let method = tsne ? "t-SNE" : "PCA"
            let axes = tsne ? ("t-SNE 1", "t-SNE 2") : ("PC 1", "PC 2")
            for property in FunctionProperty.allCases {
                guard let values = embeddings.properties[property.rawValue] else { continue }
                let spec = PlotSpec(
                    series: [.init(x: points.map { $0[0] }, y: points.map { $0[1] }, style: .points, color: values)],
                    title: "\(name == "z_f" ? "symbolic" : "numeric") embeddings of \(picked.count) functions (\(method)), coloured by \(property.rawValue)",
                    xlabel: axes.0, ylabel: axes.1, legend: false, colorLabel: property.rawValue)
                let path = folder + "/" + name.replacingOccurrences(of: "_", with: "") + "-\(property.rawValue).png"
                try gnuplot.render(spec, terminal: .png(width: 800, height: 600), to: path)
            }
        }
        note("maps written to \(folder)")
    }
}

/// The first `count` samples of a data.prefix file with the line each came from (so errors
/// about a sample can name its line).
func firstSamples(of path: String, count: Int) throws -> (samples: [Sample], lines: [Int]) {
    try DataPrefixReader(path: path).next(count)
}
