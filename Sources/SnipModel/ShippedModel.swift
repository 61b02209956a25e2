import Foundation
import SnipNN

/// The pre-trained models that ship with snip (see docs/MODELS.md).
public enum ShippedModel: String, CaseIterable, Sendable {
    /// Functions of one variable, y min-max scaled to [0, 1] (the default).
    case oneDimensional = "1d"
    /// Functions of up to 10 variables, raw y (like the reference's SNIP-10dmax).
    case tenDimensional = "10d"

    /// The file name under `Models/`.
    public var fileName: String {
        switch self {
        case .oneDimensional: "snip-small-1d.safetensors"
        case .tenDimensional: "snip-small-10d.safetensors"
        }
    }

    /// The shipped model for functions of `dimension` variables: the 1-D one for one
    /// variable, the 10-D one for more.
    public static func forDimension(_ dimension: Int) -> ShippedModel {
        dimension <= 1 ? .oneDimensional : .tenDimensional
    }

    /// Where the file lies: next to the executable's resources when installed, or in the
    /// source tree's `Models/` folder (found from the executable, the working directory or
    /// `SNIP_HOME`).
    public var path: String? { Self.locate(fileName) }

    /// Where a file shipped in `Models/` lies (see ``path``), or nil.
    public static func locate(_ fileName: String) -> String? {
        var candidates: [String] = []
        if let home = ProcessInfo.processInfo.environment["SNIP_HOME"] { candidates.append(home + "/Models/" + fileName) }
        // the running executable (not argv[0], which is a bare name when started through $PATH)
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first ?? ""
        var folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(folder.appendingPathComponent("../share/snip/" + fileName).standardized.path)
        // a build folder inside the package (.build/<triple>/release/snip): the package's Models/
        for _ in 0..<4 {
            folder = folder.deletingLastPathComponent()
            candidates.append(folder.appendingPathComponent("Models/" + fileName).path)
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/Models/" + fileName)
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }
}

extension SNIPModel {
    /// Loads a shipped pre-trained model (the 1-D one by default).
    public static func shipped(_ which: ShippedModel = .oneDimensional) throws -> SNIPModel {
        guard let path = which.path else {
            throw ModelError("the shipped model \(which.fileName) was not found (looked in SNIP_HOME/Models, next to the executable and in ./Models); run Scripts/train-default-model")
        }
        let model = try load(path)
        // files shipped before checkpoints carried a contract hold a model trained on scaled y
        if which == .oneDimensional, !model.contractIsRecorded {
            model.contract.normalizesY = true
        }
        return model
    }

    /// Loads the model a command line or script names: a shipped model's name (`1d`, `10d`)
    /// or a checkpoint's path (.safetensors, a training checkpoint or the reference's .pth).
    /// The names win over files of the same name in the working directory.
    public static func load(named name: String) throws -> SNIPModel {
        if let shipped = ShippedModel(rawValue: name) { return try SNIPModel.shipped(shipped) }
        return try load(name)
    }
}
