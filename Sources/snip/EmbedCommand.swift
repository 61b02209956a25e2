import ArgumentParser
import Foundation
import SnipMath
import SnipModel
import SnipSystem
import SnipTensor

/// `snip embed`: latent vectors of every sample of a data.prefix file.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed the functions of a data.prefix file with a SNIP model.",
        discussion: """
            Reads the file line by line (reference data.prefix files work as they are) and writes \
            one JSON object per input line, in input order: {"line": N, "z_f": [...], "z_y": [...]} \
            (z_f from the symbolic encoder, z_y from the numeric one), y scaled to [0, 1] first for \
            models trained on scaled y (the checkpoint says so). A malformed line or a \
            token the model's vocabulary lacks stops the run with FILE:LINE: reason.
            """)

    enum Side: String, ExpressibleByArgument, CaseIterable {
        case symbolic, numeric, both
    }

    @Option(name: .long, help: "A model checkpoint (.safetensors or the reference's .pth).")
    var model: String

    @Option(name: .long, help: "The data.prefix file to embed.")
    var data: String

    @Option(name: .long, help: "Which encoders to run: symbolic, numeric or both.")
    var side: Side = .both

    @Option(name: .long, help: "Samples per batch.")
    var batchSize = 64

    @Flag(name: .long, help: "Encode the skeleton (constants replaced by CONSTANT) instead of the expression.")
    var skeleton = false

    @Option(name: .long, help: "Output file (default: standard output).")
    var out: String?

    func validate() throws {
        try Flags.check(batchSize, "--batch-size", in: 1...Flags.maxInferenceBatch)
    }

    func run() throws {
        let model = try reportingErrors { try SNIPModel.load(self.model) }
        let tokenizer = SampleTokenizer(config: model.config, skeleton: skeleton || model.contract.skeleton)
        let reader = try reportingErrors { try DataPrefixReader(path: data) }
        let output = try reportingErrors { try AtomicFile.Writer(path: out) }
        var batch: [(line: Int, example: TrainingExample)] = []
        var count = 0
        let status = StatusLine()
        let clock = DispatchTime.now().uptimeNanoseconds
        func flush() throws {
            guard !batch.isEmpty else { return }
            let (symbolic, numeric) = withoutGrad {
                (
                    side != .numeric ? model.encodeSymbolic(batch.map(\.example.expressionTokens)).latent.rows : nil,
                    side != .symbolic ? model.encodeNumeric(batch.map(\.example.pointTokens)).latent.rows : nil
                )
            }
            for (i, item) in batch.enumerated() {
                var fields = ["\"line\":\(item.line)"]
                if let symbolic { fields.append("\"z_f\":" + jsonArray(symbolic[i])) }
                if let numeric { fields.append("\"z_y\":" + jsonArray(numeric[i])) }
                try output.write("{" + fields.joined(separator: ",") + "}\n")
            }
            count += batch.count
            batch.removeAll(keepingCapacity: true)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
            status.show(String(format: "embedded %d samples  %.1f samples/s", count, Double(count) / max(elapsed, 1e-9)))
        }
        defer { output.discard() }
        try reportingErrors {
            while let sample = try reader.next() {
                let line = reader.lineNumber
                do {
                    batch.append((line, try tokenizer.example(model.contract.prepared(sample))))
                } catch {
                    throw DataPrefixError(file: data, line: line, reason: "\(error)")
                }
                if batch.count == batchSize { try flush() }
            }
            try flush()
            guard count > 0 else { throw ValidationError("\(data) holds no samples") }
            try output.commit()
        }
        status.finish()
        note("snip embed: \(count) samples")
    }
}

/// Shortest round-tripping decimals, comma separated, in brackets.
func jsonArray(_ values: [Float]) -> String {
    "[" + values.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",") + "]"
}
