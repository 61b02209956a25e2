import ArgumentParser
import Foundation
import SnipMath
import SnipModel

/// `snip retrieval`: cross-modal retrieval accuracy of a model on a data file.
struct RetrievalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Top-k accuracy of matching each expression to its own points (and back).",
        discussion: """
            Embeds the first --count samples of the file with both encoders and ranks, for \
            each expression, all point sets by z_f · z_y (the CLIP score); reports how often \
            the expression's own points come first (top-1) or among the first k, against chance. \
            Only the exact partner counts: many generated 1-D functions share a graph once y is \
            scaled (a + b·x and c + d·x), so `snip evaluate-model` also counts look-alikes.
            """)

    @Option(help: "A model checkpoint, or 1d / 10d for a shipped model.")
    var model: String

    @Option(help: "Data (data.prefix).")
    var data: String

    @Option(help: "Candidates: the first N samples of the file.")
    var count = 1000

    @Option(help: "Samples per encoder batch.")
    var batchSize = 64

    func validate() throws {
        try Flags.check(count, "--count", in: 2...Flags.maxRetrievalCandidates)
        try Flags.check(batchSize, "--batch-size", in: 1...Flags.maxInferenceBatch)
    }

    func run() throws {
        try reportingErrors {
            let loaded = try SNIPModel.load(named: model)
            let (samples, lines) = try firstSamples(of: data, count: count)
            guard samples.count > 1 else { throw ValidationError("\(data): need at least 2 samples, found \(samples.count)") }
            let latents: SampleEmbeddings
            do throws(EmbeddingError) {
                latents = try loaded.embed(samples, batchSize: batchSize)!
            } catch {
                throw DataPrefixError(file: data, line: lines[error.index], reason: error.reason)
            }
            let scores = loaded.scores(symbolic: latents.symbolic!, numeric: latents.numeric!)
            let metrics = RetrievalMetrics(scores: scores)
            print("candidates \(metrics.candidates) (exact partners only; `snip evaluate-model` counts look-alikes too)")
            for (i, k) in metrics.ks.enumerated() {
                print(String(format: "top-%d  expression→points %.1f%%  points→expression %.1f%%  chance %.1f%%", k,
                             100 * metrics.symbolicToNumeric[i], 100 * metrics.numericToSymbolic[i], 100 * metrics.chance[i]))
            }
        }
    }
}
