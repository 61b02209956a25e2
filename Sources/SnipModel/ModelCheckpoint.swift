import Foundation
import SnipNN
import SnipTensor

/// Reading and writing SNIP models: snip's safetensors files (weights + the config as JSON
/// metadata) and the reference's PyTorch checkpoints (a dict of module state dicts with the
/// training arguments under `params`).
extension SNIPModel {
    /// The modules a SNIP checkpoint holds, by their reference names.
    static let moduleNames = ["embedder", "encoder_y", "encoder_f", "regressor"]
    static let configKey = "snip.config"

    /// Writes the weights, config and contract (and `extraMetadata`) to a safetensors file,
    /// atomically; `storage: .float16` halves the file (weights rounded to float16, loaded back
    /// as float32). `extraTensors` are stored after the weights under their own names (which
    /// must not be a module's); loading a model ignores them.
    public func save(
        to path: String, extraMetadata: [String: String] = [:], extraTensors: [(name: String, tensor: Tensor)] = [],
        storage: SafeTensors.Storage = .float32
    ) throws(CheckpointError) {
        try SafeTensors.write(
            namedParameters().map { ($0.key, $0.parameter.value) } + extraTensors,
            metadata: try checkpointMetadata(path: path).merging(extraMetadata) { own, _ in own }, to: path,
            storage: storage)
    }

    /// The metadata every snip checkpoint carries: the config, the contract, the vocabulary
    /// identity and the format version.
    func checkpointMetadata(path: String) throws(CheckpointError) -> [String: String] {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return [
                Self.configKey: String(decoding: try encoder.encode(config), as: UTF8.self),
                ModelContract.metadataKey: String(decoding: try encoder.encode(contract), as: UTF8.self),
                "snip.format": "1", "snip.vocabulary": vocabulary.identity,
            ]
        } catch {
            throw CheckpointError(path: path, "cannot encode the checkpoint metadata: \(error)")
        }
    }

    /// Loads a model from a `.safetensors` or `.pth` file. The config comes from the file
    /// (snip's metadata, or the reference's `params`) unless `config` is given.
    public static func load(_ path: String, config explicit: ModelConfig? = nil) throws(CheckpointError) -> SNIPModel {
        let modules: [String: [String: Tensor]]
        var config = explicit
        var contract = ModelContract()
        var contractIsRecorded = false
        if path.hasSuffix(".pth") || path.hasSuffix(".pt") {
            let root = try TorchCheckpoint.load(path)
            if let params = root["params"] {
                if config == nil { config = try Self.config(fromReference: params, path: path) }
                contract = Self.contract(fromReference: params)
                contractIsRecorded = true
            }
            var found: [String: [String: Tensor]] = [:]
            for name in moduleNames {
                guard let module = root[name] else { continue }
                // state dicts saved from DistributedDataParallel carry a "module." prefix
                found[name] = Dictionary(module.tensors().map { (key: String, tensor: Tensor) in
                    (key.hasPrefix("module.") ? String(key.dropFirst(7)) : key, tensor)
                }, uniquingKeysWith: { a, _ in a })
            }
            modules = found
        } else {
            let (tensors, metadata) = try SafeTensors.read(path)
            if config == nil, let json = metadata[configKey] {
                do {
                    config = try ModelConfig.decode(json: Data(json.utf8), source: "metadata")
                } catch {
                    throw CheckpointError(path: path, key: configKey, "unreadable config: \(error)")
                }
            }
            if let json = metadata[ModelContract.metadataKey] {
                do {
                    contract = try JSONDecoder().decode(ModelContract.self, from: Data(json.utf8))
                    contractIsRecorded = true
                } catch {
                    throw CheckpointError(path: path, key: ModelContract.metadataKey, "unreadable contract: \(error)")
                }
            }
            var found: [String: [String: Tensor]] = [:]
            for (key, tensor) in tensors {
                guard let dot = key.firstIndex(of: ".") else { continue }
                found[String(key[..<dot]), default: [:]][String(key[key.index(after: dot)...])] = tensor
            }
            modules = found
        }
        guard let config else {
            throw CheckpointError(path: path, "no model config in the file; pass one explicitly")
        }
        let model: SNIPModel
        do {
            model = try SNIPModel(config: config, seed: 0)
        } catch {
            throw CheckpointError(path: path, "invalid config: \(error.message)")
        }
        model.contract = contract
        model.contractIsRecorded = contractIsRecorded
        for (name, module) in model.children {
            guard let state = modules[name] else {
                // a property head is optional: pre-training checkpoints may lack a trained one
                if name == "regressor" { continue }
                throw CheckpointError(path: path, key: name, "the checkpoint has no '\(name)' module")
            }
            do {
                try module.load(stateDict: state, strict: true)
            } catch {
                switch error {
                case .missingKey(let key): throw CheckpointError(path: path, key: "\(name).\(key)", "missing from the checkpoint")
                case .unexpectedKey(let key): throw CheckpointError(path: path, key: "\(name).\(key)", "not part of the model")
                case .shapeMismatch(let key, let expected, let found):
                    throw CheckpointError(path: path, key: "\(name).\(key)", "shape \(found) does not fit the config, which needs \(expected)")
                }
            }
        }
        return model
    }

    /// The contract of a reference checkpoint: its `normalize_y` argument (the released 1-D
    /// model was trained on scaled y), expressions, dot-product scores.
    static func contract(fromReference params: PickleValue) -> ModelContract {
        ModelContract(normalizesY: (params["normalize_y"]?.int ?? 0) != 0)
    }

    /// The config described by a reference `params` dict (or argparse Namespace).
    static func config(fromReference params: PickleValue, path: String) throws(CheckpointError) -> ModelConfig {
        func int(_ key: String) throws(CheckpointError) -> Int {
            guard let value = params[key]?.int else {
                throw CheckpointError(path: path, key: "params.\(key)", "missing or not an integer")
            }
            return value
        }
        var config = ModelConfig(
            maxInputDimension: try int("max_input_dimension"), width: try int("enc_emb_dim"),
            layers: try int("n_enc_layers"), heads: try int("n_enc_heads"), latent: try int("latent_dim"),
            pointTokenWidth: try int("emb_emb_dim"))
        if let v = params["max_output_dimension"]?.int { config.maxOutputDimension = v }
        if let v = params["n_emb_layers"]?.int { config.embedderLayers = v }
        if let v = params["emb_expansion_factor"]?.int { config.embedderExpansion = v }
        if let v = params["n_enc_hidden_layers"]?.int { config.feedForwardHiddenLayers = v }
        if let v = params["max_len"]?.int { config.maxPoints = v }
        if let v = params["float_precision"]?.int { config.floatPrecision = v }
        if let v = params["mantissa_len"]?.int { config.mantissaLength = v }
        if let v = params["max_exponent"]?.int { config.maxExponent = v }
        return config
    }
}
