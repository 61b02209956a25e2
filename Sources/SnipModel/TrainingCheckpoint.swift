import Foundation
import SnipNN
import SnipTensor

/// Everything a run needs to continue exactly: the model, the optimiser's moments and update
/// count, and the step reached, in one safetensors file (model weights under their usual keys,
/// moments under `adam.mean.<key>` / `adam.squares.<key>`, counters in the metadata).
struct TrainingCheckpoint {
    struct Counters: Codable {
        var step: Int
        var updates: Int
        var momentSteps: [Int]
        var skipped: Int
    }

    static let countersKey = "snip.training"

    static func save(model: SNIPModel, optimizer: Adam, counters: Counters, to path: String) throws(CheckpointError) {
        var tensors = model.namedParameters().map { ($0.key, $0.parameter.value) }
        for ((key, _), moments) in zip(model.namedParameters(), optimizer.moments) {
            tensors.append(("adam.mean." + key, moments.mean))
            tensors.append(("adam.squares." + key, moments.squares))
        }
        let encoder = JSONEncoder()
        let config: String
        let countersJSON: String
        do {
            config = String(decoding: try encoder.encode(model.config), as: UTF8.self)
            countersJSON = String(decoding: try encoder.encode(counters), as: UTF8.self)
        } catch {
            throw CheckpointError(path: path, "cannot encode the checkpoint metadata: \(error)")
        }
        try SafeTensors.write(
            tensors,
            metadata: [
                SNIPModel.configKey: config, "snip.format": "1", countersKey: countersJSON,
                SNIPModel.propertyHeadKey: SNIPModel.untrainedPropertyHead,
            ], to: path)
    }

    /// Loads the model and restores `optimizer`-compatible state; returns the model, the
    /// moments and the counters.
    static func load(_ path: String) throws(CheckpointError) -> (model: SNIPModel, moments: [Adam.Moments], counters: Counters) {
        let model = try SNIPModel.load(path)
        let (tensors, metadata) = try SafeTensors.read(path)
        guard let json = metadata[countersKey],
            let counters = try? JSONDecoder().decode(Counters.self, from: Data(json.utf8))
        else {
            throw CheckpointError(path: path, key: countersKey, "not a training checkpoint (no training counters)")
        }
        let named = model.namedParameters()
        guard counters.momentSteps.count == named.count else {
            throw CheckpointError(path: path, key: countersKey, "\(counters.momentSteps.count) moment counters for \(named.count) parameters")
        }
        var moments: [Adam.Moments] = []
        for ((key, parameter), step) in zip(named, counters.momentSteps) {
            guard let mean = tensors["adam.mean." + key], let squares = tensors["adam.squares." + key] else {
                throw CheckpointError(path: path, key: "adam.mean." + key, "missing optimizer moments")
            }
            guard mean.shape == parameter.shape, squares.shape == parameter.shape else {
                throw CheckpointError(path: path, key: "adam.mean." + key, "moments do not fit the parameter")
            }
            // copy out of the file mapping: moments are updated in place every step
            moments.append(Adam.Moments(step: step, mean: mean + 0, squares: squares + 0))
        }
        return (model, moments, counters)
    }
}

extension SNIPModel {
    /// The metadata key that marks a checkpoint whose property head (`regressor`) was never
    /// trained: pre-training checkpoints, and conversions of checkpoints without a head.
    public static let propertyHeadKey = "snip.property-head"
    /// The value of ``propertyHeadKey`` for a head that was never trained.
    public static let untrainedPropertyHead = "untrained"

    /// Whether the checkpoint at `path` is known to hold a property head that was never
    /// trained: a reference `.pth` without a `regressor`, a safetensors file marked so, or a
    /// pre-training checkpoint. `false` when it cannot tell (or the file cannot be read).
    public static func propertyHeadIsUntrained(at path: String) -> Bool {
        if path.hasSuffix(".pth") || path.hasSuffix(".pt") {
            guard let root = try? TorchCheckpoint.load(path) else { return false }
            return root["regressor"] == nil
        }
        guard let metadata = try? SafeTensors.read(path).metadata else { return false }
        return metadata[propertyHeadKey] == untrainedPropertyHead || metadata[TrainingCheckpoint.countersKey] != nil
    }
}
