import Foundation
import SnipModel
import SnipNN
import SnipTensor
import Testing
import TestSupport

private func fixture(_ name: String) -> String {
    Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil)!.path
}

private func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("snip-model-\(getpid())-\(name)").path
}

struct ModelCheckpointTests {
    @Test func saveAndLoadKeepsConfigAndWeights() throws {
        let model = try SNIPModel(config: .small(maxInputDimension: 2), seed: 3)
        let path = temporaryPath("roundtrip.safetensors")
        defer { unlink(path) }
        try model.save(to: path)
        let loaded = try SNIPModel.load(path)
        #expect(loaded.config == model.config)
        #expect(loaded.namedParameters().map(\.key) == model.namedParameters().map(\.key))
        for ((_, a), (_, b)) in zip(loaded.namedParameters(), model.namedParameters()) {
            #expect(a.value.scalars == b.value.scalars)
        }
    }

    @Test func aHalfPrecisionFileLoadsTheRoundedWeightsAndEncodesAlike() throws {
        let model = try SNIPModel(config: .small(), seed: 5)
        model.contract.normalizesY = true
        let full = temporaryPath("full.safetensors")
        let half = temporaryPath("half.safetensors")
        defer { unlink(full); unlink(half) }
        try model.save(to: full)
        try model.save(to: half, storage: .float16)
        let fullSize = try #require(FileManager.default.attributesOfItem(atPath: full)[.size] as? Int)
        let halfSize = try #require(FileManager.default.attributesOfItem(atPath: half)[.size] as? Int)
        // the data halves; the header (config, contract, names) differs only in its byte offsets
        let saved = fullSize - halfSize - model.parameterCount * 2
        #expect(saved >= 0 && saved < 1024, "\(saved)")
        let loaded = try SNIPModel.load(half)
        #expect(loaded.config == model.config && loaded.contract == model.contract)
        for ((name, a), (_, b)) in zip(loaded.namedParameters(), model.namedParameters()) {
            #expect(a.value.scalars == b.value.scalars.map { Float(Float16($0)) }, "\(name)")
        }
        // the embeddings of a few expressions move by well under 1 % of their size
        let expressions = [[4, 5, 6], [7, 8], [9, 10, 11, 12]]
        let a = model.encodeSymbolic(expressions).latent.scalars
        let b = loaded.encodeSymbolic(expressions).latent.scalars
        let difference = zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        let size = a.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(difference > 0 && difference < 0.01 * size, "\(difference) of \(size)")
    }

    @Test func parameterNamesAreTheReferenceKeys() throws {
        let model = try SNIPModel(config: .small(), seed: 1)
        let (tensors, _) = try SafeTensors.read(fixture("model.safetensors"))
        #expect(Set(model.namedParameters().map(\.key)) == Set(tensors.keys))
        for (key, parameter) in model.namedParameters() { #expect(tensors[key]?.shape == parameter.shape, "\(key)") }
    }

    @Test func aConfigThatDoesNotFitNamesTheKey() {
        do {
            _ = try SNIPModel.load(fixture("model.safetensors"), config: .paper())
            Issue.record("loaded a small checkpoint into the paper configuration")
        } catch {
            #expect(error.key?.hasPrefix("embedder.") == true || error.key?.contains(".") == true)
            #expect(error.reason.contains("does not fit the config"))
        }
    }

    @Test func aMissingModuleIsReported() throws {
        let (tensors, _) = try SafeTensors.read(fixture("model.safetensors"))
        let path = temporaryPath("missing.safetensors")
        defer { unlink(path) }
        try SafeTensors.write(tensors.filter { !$0.key.hasPrefix("encoder_f.") }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, to: path)
        do {
            _ = try SNIPModel.load(path, config: .small())
            Issue.record("loaded a checkpoint without encoder_f")
        } catch {
            #expect(error.key == "encoder_f" && error.path == path)
        }
        // a single missing tensor is named too
        try SafeTensors.write(tensors.filter { $0.key != "encoder_y.layer_norm1.1.bias" }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, to: path)
        do {
            _ = try SNIPModel.load(path, config: .small())
            Issue.record("loaded a checkpoint without a layer norm bias")
        } catch {
            #expect(error.key == "encoder_y.layer_norm1.1.bias")
        }
    }

    @Test func aFileWithoutConfigAsksForOne() throws {
        #expect(throws: CheckpointError.self) { try SNIPModel.load(fixture("model.safetensors")) }
    }

    @Test func theReferenceTrainingCheckpointLoadsAndRuns() throws {
        // a real reference checkpoint (micro config, with optimizer state and the full params)
        let model = try SNIPModel.load(fixture("checkpoint_reference.pth"))
        #expect(model.config.width == 4 && model.config.layers == 1 && model.config.latent == 4)
        let z = withoutGrad { model.encodeSymbolic([[70, 80, 100]]).latent }
        #expect(z.shape == [1, 4] && z.scalars.allSatisfy(\.isFinite))
    }

    @Test func readsTheReferenceTrainerCheckpoint() throws {
        let root = try TorchCheckpoint.load(fixture("checkpoint_reference.pth"))
        let info = try Golden.load("checkpoint_info.json", from: .module)
        #expect(root.keys.sorted() == info["top_level_keys"].array.map(\.string))
        for module in info["module_tensors"].keys {
            let shapes = info["module_tensors"][module]
            for key in shapes.keys {
                #expect(root[module]?[key]?.tensor?.shape == shapes[key].ints, "\(module).\(key)")
            }
        }
        // the optimizer state: per-parameter moments keyed by integers
        let state = try #require(root["optimizer"]?["state"])
        guard case .dict(let entries) = state else {
            Issue.record("optimizer state is not a dict")
            return
        }
        #expect(!entries.isEmpty)
        #expect(entries.first?.value["exp_avg"]?.tensor != nil)
    }
}
