import Foundation
import SnipMath

/// What a pre-training run trains on, recorded in its `run.json` so that `--resume` rebuilds
/// exactly the same data whatever flags the resuming command carries.
public struct PretrainingDataSpec: Codable, Equatable, Sendable {
    /// data.prefix files to read (empty: functions generated on the fly).
    public var files: [String]
    /// Largest input dimension of generated functions.
    public var maxInputDimension: Int
    /// Whether y is min-max scaled to [0, 1] (generated data, and file data read for a model
    /// that expects it).
    public var normalizeY: Bool
    /// Whether expressions are read as skeletons.
    public var skeleton: Bool
    /// The probability of keeping a generated function whose scaled graph is a straight line
    /// (``GeneratedTrainingData/straightLineKeep``; 1: the generator's own mix).
    public var straightLineKeep: Double
    /// Whether points are sorted by their inputs before encoding (the model's contract then
    /// says so: ``ModelContract/sortsPoints``).
    public var sortPoints: Bool
    /// The probability that an odd example of a generated batch is the previous example's
    /// sibling (its formula with the constants moved, ``SiblingFunction``): hard negatives.
    public var siblingRate: Double
    /// The probability that an odd example of a generated batch is the previous example's
    /// formula on fresh inputs (``RedrawnFunction``): a second view (``siblingRate`` +
    /// ``redrawRate`` ≤ 1).
    public var redrawRate: Double
    /// The share of each generated function's points that training encodes
    /// (``GeneratedTrainingData/pointKeep``; 1: all).
    public var pointKeep: Double
    /// With a property loss: 0, the symbolic embedding learns each function's own points'
    /// properties; N > 0, its formula's averaged over N fresh draws of the inputs
    /// (``GeneratedTrainingData/propertyRedraws``).
    public var propertyRedraws: Int

    public init(
        files: [String] = [], maxInputDimension: Int, normalizeY: Bool, skeleton: Bool, straightLineKeep: Double = 1,
        sortPoints: Bool = false, siblingRate: Double = 0, redrawRate: Double = 0, pointKeep: Double = 1,
        propertyRedraws: Int = 0
    ) {
        self.propertyRedraws = propertyRedraws
        self.redrawRate = redrawRate
        self.pointKeep = pointKeep
        self.files = files
        self.maxInputDimension = maxInputDimension
        self.normalizeY = normalizeY
        self.skeleton = skeleton
        self.straightLineKeep = straightLineKeep
        self.sortPoints = sortPoints
        self.siblingRate = siblingRate
    }

    private enum CodingKeys: String, CodingKey {
        case files, maxInputDimension, normalizeY, skeleton, straightLineKeep, sortPoints, siblingRate, redrawRate, pointKeep, propertyRedraws
    }

    /// The most fresh draws a formula's property targets may average (each costs a generated
    /// function's evaluation and properties on the prefetch thread).
    public static let maxPropertyRedraws = 64

    /// Reads recorded settings; runs recorded before straight lines could be thinned kept them
    /// all, ones recorded before points could be sorted read them as drawn, and ones recorded
    /// before siblings had none, ones recorded before points could be thinned kept them all,
    /// ones recorded before redraws had none, and ones recorded before redraw-mean property
    /// targets used the points' own.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        files = try c.decode([String].self, forKey: .files)
        maxInputDimension = try c.decode(Int.self, forKey: .maxInputDimension)
        normalizeY = try c.decode(Bool.self, forKey: .normalizeY)
        skeleton = try c.decode(Bool.self, forKey: .skeleton)
        straightLineKeep = try c.decodeIfPresent(Double.self, forKey: .straightLineKeep) ?? 1
        sortPoints = try c.decodeIfPresent(Bool.self, forKey: .sortPoints) ?? false
        siblingRate = try c.decodeIfPresent(Double.self, forKey: .siblingRate) ?? 0
        pointKeep = try c.decodeIfPresent(Double.self, forKey: .pointKeep) ?? 1
        redrawRate = try c.decodeIfPresent(Double.self, forKey: .redrawRate) ?? 0
        propertyRedraws = try c.decodeIfPresent(Int.self, forKey: .propertyRedraws) ?? 0
        guard (0...PretrainingDataSpec.maxPropertyRedraws).contains(propertyRedraws) else {
            throw DecodingError.dataCorruptedError(
                forKey: .propertyRedraws, in: c,
                debugDescription: "propertyRedraws \(propertyRedraws) is not in [0, \(PretrainingDataSpec.maxPropertyRedraws)]")
        }
        guard pointKeep.isFinite, pointKeep > 0, pointKeep <= 1 else {
            throw DecodingError.dataCorruptedError(
                forKey: .pointKeep, in: c, debugDescription: "pointKeep \(pointKeep) is not in (0, 1]")
        }
        guard siblingRate.isFinite, (0...1).contains(siblingRate) else {
            throw DecodingError.dataCorruptedError(
                forKey: .siblingRate, in: c, debugDescription: "siblingRate \(siblingRate) is not in [0, 1]")
        }
        guard redrawRate.isFinite, redrawRate >= 0, siblingRate + redrawRate <= 1 else {
            throw DecodingError.dataCorruptedError(
                forKey: .redrawRate, in: c,
                debugDescription: "redrawRate \(redrawRate) is not in [0, 1 − siblingRate]")
        }
        guard straightLineKeep.isFinite, (0...1).contains(straightLineKeep) else {
            throw DecodingError.dataCorruptedError(
                forKey: .straightLineKeep, in: c, debugDescription: "straightLineKeep \(straightLineKeep) is not in [0, 1]")
        }
    }

    /// The settings behind a description written by runs made before the settings were
    /// recorded (`generated: max input dimension 1, normalized y, skeletons`); nil for data
    /// files, whose description did not say whether y was scaled.
    public init?(legacyDescription text: String) {
        let prefix = "generated: max input dimension "
        guard text.hasPrefix(prefix) else { return nil }
        let parts = text.dropFirst(prefix.count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let dimension = parts.first.flatMap({ Int($0) }) else { return nil }
        self.init(maxInputDimension: dimension, normalizeY: parts.contains("normalized y"), skeleton: parts.contains("skeletons"))
    }

    /// A readable description (also the one older snip versions wrote).
    public var description: String {
        files.isEmpty
            ? "generated: max input dimension \(maxInputDimension)\(normalizeY ? ", normalized y" : "")\(skeleton ? ", skeletons" : "")"
                + (straightLineKeep < 1 ? ", straight lines kept with probability \(straightLineKeep)" : "")
                + (sortPoints ? ", points sorted" : "")
                + (siblingRate > 0 ? ", siblings with probability \(siblingRate)" : "")
                + (redrawRate > 0 ? ", redraws with probability \(redrawRate)" : "")
                + (pointKeep < 1 ? ", \(pointKeep) of each function's points" : "")
                + (propertyRedraws > 0 ? ", formula property targets over \(propertyRedraws) redraws" : "")
            : "files: " + files.joined(separator: ", ") + (normalizeY ? " (y scaled to [0, 1])" : "")
                + (sortPoints ? " (points sorted)" : "")
    }

    /// The training data for a model of `config`: the generator seeded with `seed`, or the
    /// files' samples in order (y scaled when ``normalizeY``); with `propertyTargets` the
    /// batches carry ``PropertyTargets`` (generated 1-D functions only). `note` hears about
    /// skipped malformed lines.
    public func trainingData(
        config: ModelConfig, seed: UInt64, propertyTargets: Bool = false, note: (String) -> Void = { _ in }
    ) throws -> TrainingData {
        let tokenizer = SampleTokenizer(config: config, skeleton: skeleton)
        if propertyTargets && (!files.isEmpty || maxInputDimension != 1) {
            throw ModelError("property targets need generated one-dimensional functions (max input dimension 1, no data files)")
        }
        if files.isEmpty {
            var generatorConfig = GeneratorConfiguration(maxInputDimension: maxInputDimension)
            generatorConfig.normalizeY = normalizeY
            return GeneratedTrainingData(
                generator: ExpressionGenerator(configuration: generatorConfig), tokenizer: tokenizer, seed: seed,
                straightLineKeep: straightLineKeep, sortsPoints: sortPoints, siblingRate: siblingRate,
                redrawRate: redrawRate, propertyTargets: propertyTargets, propertyRedraws: propertyRedraws,
                pointKeep: pointKeep)
        }
        let contract = ModelContract(normalizesY: normalizeY, skeleton: skeleton, sortsPoints: sortPoints)
        var examples: [TrainingExample] = []
        for path in files {
            let reader = try DataPrefixReader(path: path, skipMalformedLines: true)
            while let sample = try reader.next() {
                do {
                    examples.append(try tokenizer.example(contract.prepared(sample)))
                } catch {
                    throw DataPrefixError(file: path, line: reader.lineNumber, reason: "\(error)")
                }
            }
            if reader.skippedLines > 0 {
                note("\(path): skipped \(reader.skippedLines) malformed lines (first: \(reader.skippedErrors.first.map { "\($0)" } ?? ""))")
            }
        }
        guard !examples.isEmpty else { throw ModelError("no training examples in \(files.joined(separator: ", "))") }
        return ExampleList(examples)
    }
}
