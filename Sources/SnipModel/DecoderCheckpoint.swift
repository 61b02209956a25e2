import Foundation
import SnipNN
import SnipTensor

/// Decoder files: the decoder's weights under `decoder.<key>`, its ``DecoderConfig`` and the
/// fingerprint of the numeric encoder it was trained on in the metadata; a training
/// checkpoint adds the optimiser's moments (`adam.mean.<key>`, `adam.squares.<key>`) and the
/// counters.
public enum DecoderCheckpoint {
    static let configKey = "snip.decoder.config"
    static let fingerprintKey = "snip.decoder.encoder-fingerprint"
    static let encoderKey = "snip.decoder.encoder"

    /// Writes the decoder's weights (and, for a training checkpoint, `optimizer`'s state and
    /// `counters`) atomically.
    static func save(
        _ decoder: FormulaDecoder, encoder: SNIPModel, encoderName: String, optimizer: Adam? = nil,
        counters: TrainingCheckpoint.Counters? = nil, to path: String
    ) throws {
        let named = decoder.namedParameters(prefix: "decoder.")
        var tensors = named.map { ($0.key, $0.parameter.value) }
        if let optimizer { tensors += TrainingCheckpoint.momentTensors(named, optimizer) }
        var metadata = [
            configKey: String(decoding: try JSONEncoder().encode(decoder.config), as: UTF8.self),
            fingerprintKey: fingerprint(encoder), encoderKey: encoderName, "snip.version": SnipVersion.string,
        ]
        if let counters {
            metadata[TrainingCheckpoint.countersKey] = String(decoding: try JSONEncoder().encode(counters), as: UTF8.self)
        }
        try SafeTensors.write(tensors, metadata: metadata, to: path)
    }

    /// Loads a decoder for `encoder` from `path`; a decoder trained on another encoder is an
    /// error (its latent space would mean nothing to it).
    public static func load(_ path: String, for encoder: SNIPModel) throws -> FormulaDecoder {
        try load(path, for: encoder, withState: false).decoder
    }

    static func load(_ path: String, for encoder: SNIPModel, withState: Bool) throws
        -> (decoder: FormulaDecoder, moments: [Adam.Moments], counters: TrainingCheckpoint.Counters?)
    {
        let (tensors, metadata) = try SafeTensors.read(path)
        guard let json = metadata[configKey] else {
            throw CheckpointError(path: path, key: configKey, "not a decoder file (no decoder settings)")
        }
        let config: DecoderConfig
        do {
            config = try JSONDecoder().decode(DecoderConfig.self, from: Data(json.utf8))
        } catch {
            throw CheckpointError(path: path, key: configKey, "unreadable decoder settings: \(error)")
        }
        guard config.latent == encoder.config.latent else {
            throw CheckpointError(
                path: path, "the decoder reads latents of width \(config.latent), the model makes \(encoder.config.latent)")
        }
        if let recorded = metadata[fingerprintKey], recorded != fingerprint(encoder) {
            throw CheckpointError(
                path: path,
                "the decoder was trained on another numeric encoder (\(metadata[encoderKey] ?? "unnamed")); use it with that model")
        }
        let decoder = try FormulaDecoder(config: config, seed: 0)
        let named = decoder.namedParameters(prefix: "decoder.")
        var state: [String: Tensor] = [:]
        for (key, _) in named {
            guard let value = tensors[key] else { throw CheckpointError(path: path, key: key, "missing from the decoder file") }
            state[String(key.dropFirst("decoder.".count))] = value + 0
        }
        do {
            try decoder.load(stateDict: state)
        } catch {
            throw CheckpointError(path: path, "\(error)")
        }
        guard withState else { return (decoder, [], nil) }
        guard let countersJSON = metadata[TrainingCheckpoint.countersKey],
            let counters = try? JSONDecoder().decode(TrainingCheckpoint.Counters.self, from: Data(countersJSON.utf8))
        else { throw CheckpointError(path: path, key: TrainingCheckpoint.countersKey, "not a training checkpoint") }
        let moments = try TrainingCheckpoint.moments(of: named, in: tensors, counters: counters, path: path)
        return (decoder, moments, counters)
    }

    /// A short fingerprint of a model's numeric side (its latent projection's weights), so a
    /// decoder is not paired with an encoder it never saw.
    public static func fingerprint(_ model: SNIPModel) -> String {
        var sum = 0.0
        var weighted = 0.0
        model.numericEncoder.bottleneck.weight.value.withUnsafeBufferPointer { w in
            for (i, v) in w.enumerated() {
                sum += Double(v)
                weighted += Double(v) * Double(i % 97 + 1)
            }
        }
        return String(format: "%.6e:%.6e", sum, weighted)
    }
}
