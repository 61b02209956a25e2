import Foundation
import SnipNN

extension SNIPModel {
    /// File name of the small pre-trained model that ships with snip (1-D functions, normalised
    /// y, the small configuration; see docs/MODELS.md).
    public static let shippedModelName = "snip-small-1d.safetensors"

    /// Where the shipped model lies: next to the executable's resources when installed, or in
    /// the source tree's `Models/` folder (found from the working directory or `SNIP_HOME`).
    public static var shippedModelPath: String? {
        var candidates: [String] = []
        if let home = ProcessInfo.processInfo.environment["SNIP_HOME"] { candidates.append(home + "/Models/" + shippedModelName) }
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(folder.appendingPathComponent("../share/snip/" + shippedModelName).standardized.path)
        // a build folder inside the package (.build/<triple>/release/snip): the package's Models/
        for _ in 0..<4 {
            folder = folder.deletingLastPathComponent()
            candidates.append(folder.appendingPathComponent("Models/" + shippedModelName).path)
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/Models/" + shippedModelName)
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Loads the shipped pre-trained model.
    public static func shipped() throws -> SNIPModel {
        guard let path = shippedModelPath else {
            throw ModelError("the shipped model \(shippedModelName) was not found (looked in SNIP_HOME/Models, next to the executable and in ./Models); run Scripts/train-default-model")
        }
        let model = try load(path)
        // files shipped before checkpoints carried a contract hold a model trained on scaled y
        if (try? SafeTensors.read(path).metadata[ModelContract.metadataKey]) == nil {
            model.contract.normalizesY = true
        }
        return model
    }
}
