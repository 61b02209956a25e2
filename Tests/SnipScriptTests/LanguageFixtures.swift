import Foundation

/// The language's `.snip` fixtures (run by LanguageTests, mutated by FuzzTests).
enum LanguageFixtures {
    /// The folder holding them.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// Their file names, sorted.
    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".snip") }.sorted()
    }
}
