import ArgumentParser
import SnipModel

/// `snip convert IN.pth OUT.safetensors`: a reference checkpoint to snip's native format.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a checkpoint (the reference's .pth, or a training checkpoint) to a weights-only safetensors file.",
        discussion: """
            Reads the model weights (embedder, encoder_y, encoder_f and, when present, regressor) \
            and the model settings from the checkpoint's `params`, and writes them as one \
            safetensors file with the config in its metadata. The output is written atomically. \
            The model's contract (whether it reads y scaled to [0, 1], skeletons, dot or cosine \
            scores) is kept from the input (a reference checkpoint's normalize_y argument); \
            --normalize-y / --raw-y set it for files that do not record it. --half stores the \
            weights as 16-bit floats: half the file, each weight rounded to about 3 significant \
            digits, loaded back as float32 by everything that reads models. --positions N keeps \
            the first N rows of the encoders' learned position tables (the reference's 4,096 are \
            a third of a small model's file): the model computes the same on every input, and \
            refuses more than N points or N − 2 expression tokens. --training-head-from CHECKPOINT \
            adds the auxiliary property head of a training run (`snip pretrain --property-weight`) \
            from that run's checkpoint: nothing that reads models uses it, but `snip pretrain \
            --init-from OUT` continues with it instead of a fresh head, so the file alone carries \
            a run on to a later session.
            """)

    @Argument(help: "The PyTorch checkpoint to read.")
    var input: String

    @Argument(help: "The safetensors file to write.")
    var output: String

    @Flag(help: "Record that the model reads y min-max scaled to [0, 1] (--normalize-y) or raw y (--raw-y).")
    var yScaling: YScaling?

    @Flag(help: "Store the weights as 16-bit floats (half the file size; read back as float32).")
    var half = false

    @Option(help: "Keep this many learned positions (at least the model's max points and expression padding, 200 for SNIP's models).")
    var positions: Int?

    @Option(help: "A training checkpoint whose auxiliary property head (its `aux.` tensors) the output keeps, for `snip pretrain --init-from OUT` to continue.")
    var trainingHeadFrom: String?

    enum YScaling: String, EnumerableFlag {
        case normalizeY, rawY
    }

    func run() throws {
        var model = try reportingErrors { try SNIPModel.load(input) }
        if let positions { model = try reportingErrors { try model.trimmed(positions: positions) } }
        if let yScaling { model.contract.normalizesY = yScaling == .normalizeY }
        // keep saying so when the source's property head was never trained
        let untrained = SNIPModel.propertyHeadIsUntrained(at: input)
        let trainingHead = try trainingHeadFrom.map { path in
            let head = try reportingErrors { try Pretrainer.propertyTargetHeadTensors(in: path) }
            guard !head.isEmpty else {
                throw ValidationError("--training-head-from \(path) holds no auxiliary property head (a run trained with --property-weight keeps one in its checkpoint.safetensors)")
            }
            return head
        }
        try reportingErrors {
            try model.save(
                to: output, extraMetadata: untrained ? [SNIPModel.propertyHeadKey: SNIPModel.untrainedPropertyHead] : [:],
                extraTensors: trainingHead ?? [], storage: half ? .float16 : .float32)
        }
        let c = model.config
        print("\(output)\(half ? " (float16)" : ""): width \(c.width), \(c.layers) layers\(c.symbolicLayers.map { " (\($0) symbolic)" } ?? "")\(c.symbolicWidth.map { ", encoder_f \($0) wide" } ?? "")\(c.layoutOptionsSummary), \(c.heads) heads, latent \(c.latent), \(c.positions) positions, \(model.parameterCount) parameters\(trainingHead.map { "; the training run's property head (\($0.count) tensors)" } ?? ""); \(model.contract.summary)")
    }
}
