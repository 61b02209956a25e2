// swift-tools-version: 6.0
import PackageDescription

/// Hot elementwise kernels are compiled with full optimisation; AVX2/FMA variants are chosen at
/// run time inside the C code, so the binary still runs on baseline x86-64.
let kernelFlags: [CSetting] = [.unsafeFlags(["-O3", "-ffp-contract=fast"])]
/// Every Swift target keeps Swift's overflow and bounds checks (`-O`, not `-Ounchecked`): the
/// readers, parsers, the language and the CLI handle untrusted input, and the hot loops
/// measured no faster without the checks (docs/BENCHMARKS.md, "Checked builds").
let swiftFlags: [SwiftSetting] = []

let package = Package(
    name: "snip",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "snip", targets: ["snip"]),
        .library(name: "SnipTensor", targets: ["SnipTensor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "CBLAS", path: "Sources/CBLAS", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CMPI", path: "Sources/CMPI", linkerSettings: [.linkedLibrary("dl")]),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline"),
        .target(name: "CSnipKernels", path: "Sources/CSnipKernels", cSettings: kernelFlags),
        /// Process plumbing: the one signal handler and interrupt flag, the status line, the
        /// atomic file writer.
        .target(name: "SnipSystem", swiftSettings: swiftFlags),
        .target(
            name: "SnipTensor", dependencies: ["CBLAS", "CSnipKernels"], swiftSettings: swiftFlags),
        .target(
            name: "SnipNN", dependencies: ["SnipTensor", "CSnipKernels", "SnipSystem"],
            swiftSettings: swiftFlags),
        .target(name: "SnipMath", swiftSettings: swiftFlags),
        .target(
            name: "SnipModel",
            dependencies: ["SnipTensor", "SnipNN", "SnipMath", "SnipSystem", "SnipRegression", "CMPI"],
            swiftSettings: swiftFlags),
        .target(
            name: "SnipRegression", dependencies: ["SnipMath", "SnipTensor"], swiftSettings: swiftFlags),
        .target(name: "SnipPlot", swiftSettings: swiftFlags),
        .target(
            name: "SnipScript",
            dependencies: [
                "SnipTensor", "SnipNN", "SnipMath", "SnipModel", "SnipPlot", "SnipRegression",
                "SnipSystem", "CBLAS",
                "CReadline",
            ],
            swiftSettings: swiftFlags),
        .executableTarget(
            name: "snip",
            dependencies: [
                "SnipScript", "SnipModel", "SnipMath", "SnipNN", "SnipTensor", "SnipPlot",
                "SnipRegression", "SnipSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftFlags),
        .executableTarget(
            name: "snip-bench",
            dependencies: [
                "SnipTensor", "SnipNN", "SnipModel", "SnipMath", "SnipRegression", "CBLAS",
                "CSnipKernels",
            ],
            swiftSettings: swiftFlags),
        .target(name: "TestSupport", dependencies: ["SnipTensor", "SnipMath"], path: "Tests/TestSupport"),
        .testTarget(
            name: "SnipTensorTests", dependencies: ["SnipTensor", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "SnipCLITests", dependencies: ["snip", "SnipModel", "SnipMath", "SnipTensor", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "SnipModelTests",
            dependencies: ["SnipModel", "SnipMath", "SnipNN", "SnipSystem", "SnipTensor", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "SnipNNTests", dependencies: ["SnipNN", "SnipTensor", "TestSupport"],
            exclude: ["Fixtures/make_edge_cases.py"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "SnipMathTests", dependencies: ["SnipMath", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "SnipScriptTests", dependencies: ["SnipScript", "SnipPlot", "snip", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "SnipRegressionTests", dependencies: ["SnipRegression", "SnipMath", "SnipTensor"]),
        .testTarget(name: "SnipPlotTests", dependencies: ["SnipPlot"], exclude: ["Snapshots"]),
        .testTarget(name: "SnipSystemTests", dependencies: ["SnipSystem", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
