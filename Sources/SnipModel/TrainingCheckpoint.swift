import Foundation
import SnipNN
import SnipTensor

/// Everything a run needs to continue exactly: the model, the loss's own trainable scalars (a
/// learned temperature), the optimiser's moments and update count, and the step reached, in
/// one safetensors file (model weights under their usual keys, the loss's under
/// `clip.<name>`, moments under `adam.mean.<key>` / `adam.squares.<key>`, counters in the
/// metadata).
struct TrainingCheckpoint {
    struct Counters: Codable {
        var step: Int
        var updates: Int
        var momentSteps: [Int]
        var skipped: Int
    }

    static let countersKey = "snip.training"

    /// The model's parameters then `extra` ones, in the optimiser's order.
    static func trained(_ model: SNIPModel, extra: [(key: String, parameter: Parameter)]) -> [(key: String, parameter: Parameter)] {
        model.namedParameters() + extra
    }

    /// The key prefix of the averaged weights (``WeightAverage``) of runs that keep one.
    static let averagePrefix = "ema."

    static func save(
        model: SNIPModel, extra: [(key: String, parameter: Parameter)] = [], optimizer: Adam, average: WeightAverage? = nil,
        counters: Counters, to path: String
    ) throws(CheckpointError) {
        let named = trained(model, extra: extra)
        var tensors = named.map { ($0.key, $0.parameter.value) } + momentTensors(named, optimizer)
        if let average {
            tensors += zip(model.namedParameters(), average.values).map { (averagePrefix + $0.0.key, $0.1) }
        }
        var metadata = try model.checkpointMetadata(path: path)
        do {
            metadata[countersKey] = String(decoding: try JSONEncoder().encode(counters), as: UTF8.self)
        } catch {
            throw CheckpointError(path: path, "cannot encode the training counters: \(error)")
        }
        metadata[SNIPModel.propertyHeadKey] = SNIPModel.untrainedPropertyHead
        try SafeTensors.write(tensors, metadata: metadata, to: path)
    }

    /// Loads the model and restores `optimizer`-compatible state; returns the model, the
    /// moments (model parameters, then `extra`'s, then `added`'s), the counters and the
    /// averaged weights (nil when the file has none), after setting the values of `extra` from
    /// the file.
    ///
    /// `added` are parameters a run may have gained after the checkpoint was written (the
    /// auxiliary property head of a run continued with `propertyWeight`): taken from the file
    /// when it holds them all, else left as initialised, with fresh moments.
    static func load(
        _ path: String, extra: [(key: String, parameter: Parameter)] = [], added: [(key: String, parameter: Parameter)] = []
    ) throws(CheckpointError)
        -> (model: SNIPModel, moments: [Adam.Moments], counters: Counters, average: [Tensor]?)
    {
        let model = try SNIPModel.load(path)
        let (tensors, metadata) = try SafeTensors.read(path)
        let addedPresent = added.filter { tensors[$0.key] != nil }.count
        guard addedPresent == 0 || addedPresent == added.count else {
            throw CheckpointError(path: path, key: added.first { tensors[$0.key] == nil }!.key, "missing while other parameters of its head are there")
        }
        let restored = addedPresent > 0 ? extra + added : extra
        for (key, parameter) in restored {
            guard let value = tensors[key], value.shape == parameter.shape else {
                throw CheckpointError(path: path, key: key, "missing or of the wrong shape (the run's objective needs it)")
            }
            parameter.value = value + 0
        }
        guard let json = metadata[countersKey],
            let counters = try? JSONDecoder().decode(Counters.self, from: Data(json.utf8))
        else {
            throw CheckpointError(path: path, key: countersKey, "not a training checkpoint (no training counters)")
        }
        var moments = try self.moments(of: trained(model, extra: restored), in: tensors, counters: counters, path: path)
        if addedPresent == 0 {
            moments += added.map { Adam.Moments(step: 0, mean: .zeros($0.parameter.shape), squares: .zeros($0.parameter.shape)) }
        }
        var average: [Tensor]? = nil
        if tensors.keys.contains(where: { $0.hasPrefix(averagePrefix) }) {
            var values: [Tensor] = []
            for (key, parameter) in model.namedParameters() {
                guard let value = tensors[averagePrefix + key], value.shape == parameter.shape else {
                    throw CheckpointError(path: path, key: averagePrefix + key, "averaged weights missing or of the wrong shape")
                }
                values.append(value)
            }
            average = values
        }
        return (model, moments, counters, average)
    }

    /// The optimiser's moments of `named` parameters as tensors to save
    /// (`adam.mean.<key>`, `adam.squares.<key>`).
    static func momentTensors(_ named: [(key: String, parameter: Parameter)], _ optimizer: Adam) -> [(String, Tensor)] {
        var tensors: [(String, Tensor)] = []
        for ((key, _), moments) in zip(named, optimizer.moments) {
            tensors.append(("adam.mean." + key, moments.mean))
            tensors.append(("adam.squares." + key, moments.squares))
        }
        return tensors
    }

    /// The moments of `named` parameters read back from a checkpoint's tensors, checked
    /// against the parameters and the counters.
    static func moments(
        of named: [(key: String, parameter: Parameter)], in tensors: [String: Tensor], counters: Counters, path: String
    ) throws(CheckpointError) -> [Adam.Moments] {
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
        return moments
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
