// snip-bench: SnipTensor timings printed as `name<TAB>value<TAB>unit` lines, for
// Scripts/bench-tensor to set beside PyTorch's. Run through that script, not by hand.
import CBLAS
import CSnipKernels
import Foundation
import SnipModel
import SnipMath
import SnipNN
import SnipRegression
import SnipTensor

/// Median wall time of `body` in seconds over `repeats` runs after `warmup` runs.
func time(warmup: Int = 2, repeats: Int = 7, _ body: () -> Void) -> Double {
    for _ in 0..<warmup { body() }
    var samples: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return samples.sorted()[samples.count / 2]
}

func report(_ name: String, _ value: Double, _ unit: String) {
    print("\(name)\t\(String(format: "%.4g", value))\t\(unit)")
    fflush(nil)
}

var generator = SeededGenerator(seed: 0)
let only = CommandLine.arguments.dropFirst().first

if only == nil || only == "gemm" {
    for (m, k, n) in [(512, 512, 512), (12800, 512, 2048)] {
        let a = Tensor.randomNormal([m, k], using: &generator)
        let b = Tensor.randomNormal([k, n], using: &generator)
        let flops = 2.0 * Double(m * n * k)
        let repeats = m > 1000 ? 5 : 30
        let c = Tensor.zeros([m, n])
        let raw = time(repeats: repeats) {
            snip_blas_sgemm(
                Int32(SnipBLASRowMajor), Int32(SnipBLASNoTranspose), Int32(SnipBLASNoTranspose), Int32(m), Int32(n), Int32(k), 1,
                a.storage.pointer, Int32(k), b.storage.pointer, Int32(n), 0, c.storage.pointer, Int32(n))
        }
        let library = time(repeats: repeats) { _ = a.matmul(b) }
        report("sgemm \(m)x\(k)x\(n) raw OpenBLAS", flops / raw / 1e9, "GFLOP/s")
        report("sgemm \(m)x\(k)x\(n) snip matmul", flops / library / 1e9, "GFLOP/s")
    }
}

if only == "training-data" {
    // snip-bench training-data [BATCH]: what the prefetch thread spends per training batch of
    // generated 1-D functions (y scaled): generating and tokenising, and the look-alike table
    let count = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 128 : 128
    var configuration = GeneratorConfiguration(maxInputDimension: 1)
    configuration.normalizeY = true
    let data = GeneratedTrainingData(
        generator: ExpressionGenerator(configuration: configuration),
        tokenizer: SampleTokenizer(config: .small(maxInputDimension: 1), skeleton: false), seed: 5)
    var step = 0
    let plain = time(warmup: 1, repeats: 5) {
        step += 1
        _ = try! data.batch(forStep: step, count: count, lookAlikes: false)
    }
    let withTable = time(warmup: 1, repeats: 5) {
        step += 1
        _ = try! data.batch(forStep: step, count: count, lookAlikes: true)
    }
    let generatedOnly = time(warmup: 1, repeats: 5) {
        step += 1
        _ = data.samples(forStep: step, count: count)
    }
    // the data of the shipped model's recipe: straight lines thinned to 0.2, sorted points,
    // siblings at 0.5, property targets, look-alike table
    let recipe = GeneratedTrainingData(
        generator: ExpressionGenerator(configuration: configuration),
        tokenizer: SampleTokenizer(config: .small(maxInputDimension: 1), skeleton: false), seed: 5,
        straightLineKeep: 0.2, sortsPoints: true, siblingRate: 0.5, propertyTargets: true)
    let recipeFunctions = time(warmup: 1, repeats: 5) {
        step += 1
        _ = recipe.samples(forStep: step, count: count)
    }
    let recipeBatch = time(warmup: 1, repeats: 5) {
        step += 1
        _ = try! recipe.batch(forStep: step, count: count, lookAlikes: true)
    }
    report("training batch of \(count), functions only", generatedOnly, "s")
    report("training batch of \(count), generated", plain, "s")
    report("training batch of \(count), generated with look-alike table", withTable, "s")
    report("training batch of \(count), v7 recipe, functions only", recipeFunctions, "s")
    report("training batch of \(count), v7 recipe with look-alike table and property targets", recipeBatch, "s")
    exit(0)
}

if only == "regression" {
    // symbolic regression's inner loops on 7,500 points (a Feynman training set)
    var random = RegressionRandom(seed: 0)
    let n = 7500
    let columns = (0..<3).map { _ in (0..<n).map { _ in random.uniform(1, 5) } }
    let points = PointColumns(columns: columns)
    let y = (0..<n).map { columns[0][$0] * columns[1][$0] * columns[1][$0] / 2 + sin(columns[2][$0]) }
    // 18 nodes, 4 constants: a typical member of a late population
    let formula = try! Formula(prefix: "add,mul,0.5,mul,x_0,pow2,x_1,mul,1.2,sin,add,x_2,div,0.3,add,x_0,sqrt,x_1")
    let evaluator = FormulaEvaluator()
    var output = [Double](repeating: 0, count: n)
    let once = time(repeats: 21) {
        output.withUnsafeMutableBufferPointer { _ = evaluator.evaluate(formula, on: points, into: $0.baseAddress!) }
    }
    report("evaluate 18 nodes on 7500 points", 1 / once, "formulas/s")
    report("evaluate 18 nodes on 7500 points", Double(18 * n) / once / 1e6, "Mnode/s")
    let jacobian = JacobianEvaluator()
    var J = [Double](repeating: 0, count: n * formula.parameterCount)
    let forward = time(repeats: 11) {
        output.withUnsafeMutableBufferPointer { v in
            J.withUnsafeMutableBufferPointer { _ = jacobian.evaluate(formula, on: points, values: v.baseAddress!, jacobian: $0.baseAddress!) }
        }
    }
    report("values + Jacobian (4 constants) on 7500 points", forward * 1e3, "ms")
    let fitter = ConstantFitter()
    let subset = points.selecting(Array(0..<200))
    let targets = Array(y.prefix(200))
    let fit = time(repeats: 21) {
        var f = formula.scaled(offset: 0.1, factor: 0.9)
        fitter.fit(&f, points: subset, targets: targets, solver: LevenbergMarquardt(maxIterations: 5))
    }
    report("5 LM iterations on 200 points (6 constants)", fit * 1e6, "µs")
    let data = try! RegressionData(columns: columns, y: y.map { $0 + 0.37 * cos(3 * $0) })
    for threads in [1, 2] {
        var options = RegressionOptions(timeLimit: nil, seed: 0, threads: threads)
        options.maxGenerations = 20
        options.targetR2 = nil
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try! SymbolicRegression.fit(data, options: options)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        report(
            "search, 20 generations of 300 (\(threads) thread\(threads == 1 ? "" : "s"))",
            Double(result.evaluations) / seconds, "formulas/s")
    }
}

if only == nil || only == "elementwise" {
    let x = Tensor.randomNormal([3200, 2048], using: &generator)
    report("exp [3200,2048]", time { _ = x.exp() } * 1e3, "ms")
    report("tanh [3200,2048]", time { _ = x.tanh() } * 1e3, "ms")
    report("gelu [3200,2048]", time { _ = x.gelu() } * 1e3, "ms")
    report("relu [3200,2048]", time { _ = x.relu() } * 1e3, "ms")
    let scores = Tensor.randomNormal([16 * 16 * 200, 200], using: &generator)
    report("softmax [51200,200]", time { _ = scores.softmax() } * 1e3, "ms")
    let h = Tensor.randomNormal([3200, 512], using: &generator)
    let w = Tensor.ones([512])
    let bias = Tensor.zeros([512])
    report("layer_norm [3200,512]", time { _ = h.layerNorm(weight: w, bias: bias) } * 1e3, "ms")
}

if only == nil || only == "layer" {
    // the paper shape: batch 16, 200 positions, width 512, 16 heads, FFN 2048
    let (b, t, d, heads) = (16, 200, 512, 16)
    let layer = TransformerEncoderLayer(width: d, heads: heads, using: &generator)
    let x = Tensor.randomNormal([b, t, d], using: &generator)
    let mask = Tensor.ones([b, t])
    let upstream = Tensor.randomNormal([b, t, d], using: &generator)
    let forward = time(warmup: 1, repeats: 5) { _ = withoutGrad { layer(x, keyMask: mask) } }
    report("encoder layer forward (no grad) B16 T200 D512 H16 (padded batch)", forward * 1e3, "ms")
    let step = time(warmup: 1, repeats: 5) {
        var input = x
        input.requiresGrad = true
        layer(input, keyMask: mask).backward(seed: upstream)
        layer.zeroGrad()
    }
    report("encoder layer forward+backward B16 T200 D512 H16 (padded batch)", step * 1e3, "ms")
    // what snip's encoders run: the same sequences packed, attention per sequence
    let segments = Segments(lengths: [Int](repeating: t, count: b))
    let packed = x.reshaped([b * t, d])
    let packedUpstream = upstream.reshaped([b * t, d])
    let packedForward = time(warmup: 1, repeats: 5) { _ = withoutGrad { layer(packed: packed, segments: segments) } }
    report("encoder layer forward (no grad) B16 T200 D512 H16", packedForward * 1e3, "ms")
    let packedStep = time(warmup: 1, repeats: 5) {
        var input = packed
        input.requiresGrad = true
        layer(packed: input, segments: segments).backward(seed: packedUpstream)
        layer.zeroGrad()
    }
    report("encoder layer forward+backward B16 T200 D512 H16", packedStep * 1e3, "ms")
}

if only == "parts" {
    // the encoder layer's forward pieces, one by one
    let (b, t, d, heads) = (16, 200, 512, 16)
    let e = d / heads
    let x = Tensor.randomNormal([b, t, d], using: &generator)
    let w = Tensor.randomNormal([d, d], using: &generator)
    let w1 = Tensor.randomNormal([4 * d, d], using: &generator)
    let w2 = Tensor.randomNormal([d, 4 * d], using: &generator)
    let bias = Tensor.zeros([d])
    let bias1 = Tensor.zeros([4 * d])
    let q = Tensor.randomNormal([b, heads, t, e], using: &generator)
    let scores = Tensor.randomNormal([b, heads, t, t], using: &generator)
    let hidden = Tensor.randomNormal([b, t, 4 * d], using: &generator)
    let mask = Tensor.ones([b, 1, 1, t])
    withoutGrad {
        report("linear 512->512", time { _ = Tensor.linear(x, weight: w, bias: bias) } * 1e3, "ms")
        report("linear 512->2048", time { _ = Tensor.linear(x, weight: w1, bias: bias1) } * 1e3, "ms")
        report("linear 2048->512", time { _ = Tensor.linear(hidden, weight: w2, bias: bias) } * 1e3, "ms")
        report("split heads (permute)", time { _ = x.reshaped([b, t, heads, e]).permuted([0, 2, 1, 3]) } * 1e3, "ms")
        report("q kT batched", time { _ = Tensor.matmul(q, q, transposeB: true) } * 1e3, "ms")
        let kT = q.transposed(-2, -1).detached()
        report("q kT (k pre-transposed)", time { _ = Tensor.matmul(q, kT) } * 1e3, "ms")
        let q2 = Tensor.randomNormal([b, heads, t, 64], using: &generator)
        report("q kT with E=64", time { _ = Tensor.matmul(q2, q2, transposeB: true) } * 1e3, "ms")
        report("masked fill", time { _ = scores.maskedFill(mask.equal(Tensor(scalar: 0)), with: -.infinity) } * 1e3, "ms")
        report("softmax scores", time { _ = scores.softmax() } * 1e3, "ms")
        report("weights v batched", time { _ = Tensor.matmul(scores, q) } * 1e3, "ms")
        report("add residual", time { _ = x + x } * 1e3, "ms")
        report("relu hidden", time { _ = hidden.relu() } * 1e3, "ms")
        report("layer norm", time { _ = x.layerNorm(weight: bias + 1, bias: bias) } * 1e3, "ms")
        report("scale by constant", time { _ = x * 0.5 } * 1e3, "ms")
    }
}

if only == "gemm-small" {
    // the products of a small-configuration training step, one thread: best of 30 (GFLOP/s)
    snip_blas_set_num_threads(1)  // these calls go to OpenBLAS directly, past snip's own threading
    func best(_ repeats: Int = 30, _ body: () -> Void) -> Double {
        body()
        var b = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            b = min(b, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return b
    }
    let rows = 12800
    for (k, n, ta, tb) in [(64, 64, false, true), (64, 256, false, true), (256, 64, false, true),
                           (64, 64, false, false), (256, 64, false, false)] {
        let a = Tensor.randomNormal([rows, k], using: &generator)
        let w = Tensor.randomNormal([n, k], using: &generator)
        let c = Tensor.zeros([rows, n])
        let t = best {
            snip_blas_sgemm(Int32(SnipBLASRowMajor), Int32(ta ? SnipBLASTranspose : SnipBLASNoTranspose),
                            Int32(tb ? SnipBLASTranspose : SnipBLASNoTranspose), Int32(rows), Int32(n), Int32(k), 1,
                            a.storage.pointer, Int32(k), w.storage.pointer, Int32(tb ? k : n), 0, c.storage.pointer, Int32(n))
        }
        report("sgemm \(rows)x\(k)x\(n) tb=\(tb)", 2.0 * Double(rows * k * n) / t / 1e9, "GFLOP/s")
        let narrow = best {
            _ = snip_narrow_gemm(0, tb ? 1 : 0, rows, n, k, a.storage.pointer, k, w.storage.pointer, tb ? k : n, nil, 0, 0, c.storage.pointer, n)
        }
        report("narrow \(rows)x\(k)x\(n) tb=\(tb)", 2.0 * Double(rows * k * n) / narrow / 1e9, "GFLOP/s")
        let half = best {
            _ = snip_narrow_gemm_bf16(0, tb ? 1 : 0, rows, n, k, a.storage.pointer, k, w.storage.pointer, tb ? k : n, nil, 0, 0, c.storage.pointer, n)
        }
        report("bfloat16 \(rows)x\(k)x\(n) tb=\(tb)", 2.0 * Double(rows * k * n) / half / 1e9, "GFLOP/s")
    }
    // dW = gᵀ x: [n, k] = [rows, n]ᵀ [rows, k]
    for (k, n) in [(64, 64), (64, 256), (256, 64)] {
        let g = Tensor.randomNormal([rows, n], using: &generator)
        let x = Tensor.randomNormal([rows, k], using: &generator)
        let c = Tensor.zeros([n, k])
        let t = best {
            snip_blas_sgemm(Int32(SnipBLASRowMajor), Int32(SnipBLASTranspose), Int32(SnipBLASNoTranspose),
                            Int32(n), Int32(k), Int32(rows), 1, g.storage.pointer, Int32(n), x.storage.pointer, Int32(k),
                            0, c.storage.pointer, Int32(k))
        }
        report("sgemm dW \(n)x\(k) over \(rows) rows", 2.0 * Double(rows * k * n) / t / 1e9, "GFLOP/s")
        let narrow = best {
            _ = snip_narrow_gemm(1, 0, n, k, rows, g.storage.pointer, n, x.storage.pointer, k, nil, 0, 0, c.storage.pointer, k)
        }
        report("narrow dW \(n)x\(k) over \(rows) rows", 2.0 * Double(rows * k * n) / narrow / 1e9, "GFLOP/s")
        let half = best {
            _ = snip_narrow_gemm_bf16(1, 0, n, k, rows, g.storage.pointer, n, x.storage.pointer, k, nil, 0, 0, c.storage.pointer, k)
        }
        report("bfloat16 dW \(n)x\(k) over \(rows) rows", 2.0 * Double(rows * k * n) / half / 1e9, "GFLOP/s")
    }
    // attention, one sequence and head: L 200, E 16, rows strided by D 64
    let (l, e, d) = (200, 16, 64)
    let q = Tensor.randomNormal([l, d], using: &generator)
    let p = Tensor.randomNormal([l, l], using: &generator)
    let o = Tensor.zeros([l, d])
    let s = Tensor.zeros([l, l])
    let tqk = best(200) {
        snip_blas_sgemm(Int32(SnipBLASRowMajor), Int32(SnipBLASNoTranspose), Int32(SnipBLASTranspose), Int32(l), Int32(l), Int32(e), 1,
                        q.storage.pointer, Int32(d), q.storage.pointer, Int32(d), 0, s.storage.pointer, Int32(l))
    }
    report("attention QKt 200x16x200", 2.0 * Double(l * l * e) / tqk / 1e9, "GFLOP/s")
    let tpv = best(200) {
        snip_blas_sgemm(Int32(SnipBLASRowMajor), Int32(SnipBLASNoTranspose), Int32(SnipBLASNoTranspose), Int32(l), Int32(e), Int32(l), 1,
                        p.storage.pointer, Int32(l), q.storage.pointer, Int32(d), 0, o.storage.pointer, Int32(d))
    }
    report("attention PV 200x200x16", 2.0 * Double(l * l * e) / tpv / 1e9, "GFLOP/s")
    let tptv = best(200) {
        snip_blas_sgemm(Int32(SnipBLASRowMajor), Int32(SnipBLASTranspose), Int32(SnipBLASNoTranspose), Int32(l), Int32(e), Int32(l), 1,
                        p.storage.pointer, Int32(l), q.storage.pointer, Int32(d), 0, o.storage.pointer, Int32(d))
    }
    report("attention PtdO 200x200x16", 2.0 * Double(l * l * e) / tptv / 1e9, "GFLOP/s")
    let big = Tensor.randomNormal([512, 512], using: &generator)
    let bigC = Tensor.zeros([512, 512])
    let tbig = best(10) {
        snip_blas_sgemm(Int32(SnipBLASRowMajor), Int32(SnipBLASNoTranspose), Int32(SnipBLASNoTranspose), 512, 512, 512, 1,
                        big.storage.pointer, 512, big.storage.pointer, 512, 0, bigC.storage.pointer, 512)
    }
    report("sgemm 512^3", 2.0 * 512 * 512 * 512 / tbig / 1e9, "GFLOP/s")
}

if only == "attention-kernel" {
    // one sequence and head of the small configuration (L 200, E 16, rows strided by 64): the
    // fused kernel's forward and backward, and a row softmax over [200, 200]; best of 200, µs
    func best(_ body: () -> Void) -> Double {
        body()
        var b = Double.infinity
        for _ in 0..<200 {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            b = min(b, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3)
        }
        return b
    }
    for (l, e, d) in [(200, 16, 64), (200, 32, 128), (200, 64, 256), (24, 16, 64)] {
        let x = Tensor.randomNormal([l, 3 * d], using: &generator)
        let g = Tensor.randomNormal([l, d], using: &generator)
        let o = Tensor.zeros([l, 3 * d])
        let scratch = Tensor.zeros([snip_attention_scratch(l, e)])
        let p = x.storage.pointer
        let forward = best {
            snip_attention_forward(p, p + d, p + 2 * d, 3 * d, o.storage.pointer, 3 * d, l, e, 0.25, scratch.storage.pointer)
        }
        let backward = best {
            snip_attention_backward(p, p + d, p + 2 * d, 3 * d, g.storage.pointer, d, o.storage.pointer, o.storage.pointer + d,
                                    o.storage.pointer + 2 * d, 3 * d, l, e, 0.25, scratch.storage.pointer)
        }
        let flops = 2.0 * Double(l * l * e)
        report("fused attention forward L\(l) E\(e)", forward, "us")
        report("  (\(String(format: "%.1f", 2 * flops / forward / 1e3)) GFLOP/s)", 0, "")
        report("fused attention backward L\(l) E\(e)", backward, "us")
        report("  (\(String(format: "%.1f", 5 * flops / backward / 1e3)) GFLOP/s)", 0, "")
        guard snip_attention_bf16_supported(e) != 0 else { continue }
        // the bfloat16 kernels (on AMX tiles where the CPU has them; SNIP_AMX=0: AVX-512 BF16)
        let halfForward = best {
            _ = snip_attention_forward_bf16(p, p + d, p + 2 * d, 3 * d, o.storage.pointer, 3 * d, l, e, 0.25, scratch.storage.pointer)
        }
        let halfBackward = best {
            _ = snip_attention_backward_bf16(p, p + d, p + 2 * d, 3 * d, g.storage.pointer, d, o.storage.pointer, o.storage.pointer + d,
                                             o.storage.pointer + 2 * d, 3 * d, l, e, 0.25, scratch.storage.pointer)
        }
        let engine = snip_narrow_gemm_bf16_uses_amx() != 0 ? "AMX" : "AVX-512 BF16"
        report("bfloat16 (\(engine)) attention forward L\(l) E\(e)", halfForward, "us")
        report("bfloat16 (\(engine)) attention backward L\(l) E\(e)", halfBackward, "us")
    }
    let scores = Tensor.randomNormal([200, 200], using: &generator)
    let out = Tensor.zeros([200, 200])
    report("softmax rows [200, 200]", best { snip_softmax_rows(scores.storage.pointer, out.storage.pointer, 200, 200) }, "us")
    report("exp [200, 200]", best { snip_exp(scores.storage.pointer, out.storage.pointer, 40000) }, "us")
}

/// The model benchmarks' arguments: `CONFIG BATCH LENGTHS.json`, a random model of that
/// configuration, and a maker of random token batches with realistic expression lengths.
struct ModelBenchmark {
    let name: String
    let batch: Int
    let config: ModelConfig
    let model: SNIPModel
    let lengths: [Int]

    init(defaultBatch: Int) {
        let arguments = Array(CommandLine.arguments.dropFirst(2))
        var name = arguments.first ?? "paper"
        batch = arguments.count > 1 ? Int(arguments[1]) ?? defaultBatch : defaultBatch
        var lengths = [25]
        if arguments.count > 2, let data = FileManager.default.contents(atPath: arguments[2]),
            let list = try? JSONSerialization.jsonObject(with: data) as? [Int]
        {
            lengths = list
        }
        self.lengths = lengths
        config = Self.config(named: name)
        if let width = config.symbolicWidth { name += " (encoder_f \(width) wide)" }
        model = try! SNIPModel(config: config, seed: 0)
        self.name = name
    }

    /// `small`, `medium`, `paper`, or `WIDTHxLAYERS` (e.g. `128x4`: the small configuration
    /// with that width and depth, 4 heads, as Scripts/reference/common.py builds it for the
    /// reference); any other name stops with a message (it used to mean `paper`).
    /// `SNIP_BENCH_SYMBOLIC_WIDTH=N` gives encoder_f its own width (`--symbolic-width`).
    static func config(named name: String) -> ModelConfig {
        var config: ModelConfig
        let parts = name.split(separator: "x").compactMap { Int($0) }
        if name == "small" {
            config = .small()
        } else if name == "medium" {
            config = .medium()
        } else if name == "paper" {
            config = .paper()
        } else if parts.count == 2 && parts.allSatisfy({ $0 > 0 }) {
            config = .small()
            config.width = parts[0]
            config.layers = parts[1]
        } else {
            FileHandle.standardError.write(Data("snip-bench: unknown configuration '\(name)': small, medium, paper or WIDTHxLAYERS (e.g. 128x4)\n".utf8))
            exit(64)
        }
        config.symbolicWidth = ProcessInfo.processInfo.environment["SNIP_BENCH_SYMBOLIC_WIDTH"].flatMap { Int($0) }
        return config
    }

    /// Points per function in random batches: 200, or `SNIP_BENCH_POINTS` (e.g. 100 for the
    /// step of `snip pretrain --keep-points 0.5`).
    static let pointCount = ProcessInfo.processInfo.environment["SNIP_BENCH_POINTS"].flatMap { Int($0) }.map { max(1, min($0, 200)) } ?? 200

    /// Random expressions (token counts drawn from `lengths`) and point sets of ``pointCount`` points.
    func randomBatch(using generator: inout SeededGenerator) -> (expressions: [[Int]], points: [[Int]]) {
        let equationIDs = 100..<(model.vocabulary.equationCount - 1)
        let expressions = (0..<batch).map { _ in
            (0..<lengths[Int(generator.next() % UInt64(lengths.count))]).map { _ in Int.random(in: equationIDs, using: &generator) }
        }
        let points = (0..<batch).map { _ in
            (0..<(Self.pointCount * config.tokensPerPoint)).map { _ in Int.random(in: 20..<(model.vocabulary.floatCount - 1), using: &generator) }
        }
        return (expressions, points)
    }
}

/// User and system CPU time of this process so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// The resident set now and its peak so far, in MB (`VmRSS`, `VmHWM`; 0 where unknown).
func residentMegabytes() -> (now: Int, peak: Int) {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func field(_ name: String) -> Int {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) >> 10
    }
    return (field("VmRSS"), field("VmHWM"))
}

/// This process's peak resident set, in MB.
func peakMegabytes() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
}

func reportPeakMemory(_ name: String) {
    report(name, peakMegabytes(), "MB")
}

if only == "inference" {
    // snip-bench inference CONFIG BATCH LENGTHS.json: encoder throughput with random weights
    let bench = ModelBenchmark(defaultBatch: 64)
    let (expressions, points) = bench.randomBatch(using: &generator)
    let model = bench.model
    let symbolic = time(warmup: 1, repeats: 5) { _ = withoutGrad { model.encodeSymbolic(expressions) } }
    report("symbolic encoder \(bench.name) batch \(bench.batch)", Double(bench.batch) / symbolic, "expressions/s")
    let numeric = time(warmup: 1, repeats: 5) { _ = withoutGrad { model.encodeNumeric(points) } }
    report("numeric encoder \(bench.name) batch \(bench.batch)", Double(bench.batch) / numeric, "samples/s")
    reportPeakMemory("peak memory \(bench.name)")
}

/// SNIP_PROFILE=1: the CPU time of a few more training steps by phase and by op, on stderr
/// (meaningful with SNIP_THREADS=1, where everything runs on this thread).
func profileTrainingSteps(bench: ModelBenchmark, adam: Adam, batches: [(expressions: [[Int]], points: [[Int]])]) {
    let model = bench.model
    let parameters = model.parameters
    let steps = 3
    var phases: [(String, Double)] = [("forward", 0), ("backward", 0), ("gradient clipping", 0), ("Adam", 0)]
    OpProfile.reset()
    for step in 0..<steps {
        let (expressions, points) = batches[step % batches.count]
        var t = OpProfile.threadCPUTime()
        func lap(_ phase: Int) {
            let now = OpProfile.threadCPUTime()
            phases[phase].1 += now - t
            t = now
        }
        for p in parameters { p.value.zeroGrad() }
        OpProfile.mark()
        let loss = clipLoss(symbolic: model.encodeSymbolic(expressions).latent, numeric: model.encodeNumeric(points).latent)
        lap(0)
        loss.backward()
        lap(1)
        clipGradientNorm(parameters, maxNorm: 0.5)
        lap(2)
        adam.step()
        lap(3)
    }
    let total = phases.reduce(0) { $0 + $1.1 }
    var lines = [String(format: "# %@ time per step (ms), mean of %d steps, config %@ batch %d, SNIP_THREADS=%d, OpenBLAS %@",
                        OpProfile.measuresWallTime ? "wall" : "CPU", steps, bench.name, bench.batch, Runtime.threadCount, Runtime.blasCoreName)]
    for (name, seconds) in phases {
        lines.append(String(format: "%-44@ %9.2f %5.1f %%", name, seconds * 1e3 / Double(steps), 100 * seconds / total))
    }
    lines.append(String(format: "%-44@ %9.2f", "step", total * 1e3 / Double(steps)))
    lines.append("# by op: forward ms, backward ms, share of the step, calls per step")
    for e in OpProfile.entries {
        let name = e.name.count > 44 ? String(e.name.prefix(41)) + "..." : e.name
        lines.append(String(format: "%-44@ %9.2f %9.2f %5.1f %% %5d", name, e.forward * 1e3 / Double(steps),
                            e.backward * 1e3 / Double(steps), 100 * (e.forward + e.backward) / total, e.calls / steps))
    }
    FileHandle.standardError.write((lines.joined(separator: "\n") + "\n").data(using: .utf8)!)
}

if only == "train" {
    // snip-bench train CONFIG BATCH LENGTHS.json: one CLIP training step (forward, backward,
    // gradient clipping, Adam) with random weights and token ids. Under an MPI launcher
    // (`mpirun -np N snip-bench train …`) it is one data-parallel step of the global batch, as
    // `snip pretrain` takes it: each rank encodes its slice, the latents are all-gathered, the
    // gradients all-reduced; rank 0 reports (memory: the sum of every rank's peak).
    let group: ProcessGroup = MPILaunch.detected.map { _ in try! MPIProcessGroup.start() } ?? SingleProcess()
    let bench = ModelBenchmark(defaultBatch: 16)
    let model = bench.model
    let parameters = model.parameters
    let adam = Adam(parameters: parameters, schedule: .reference(peak: 4e-5))
    let batches = (0..<4).map { _ in bench.randomBatch(using: &generator) }
    let slice = group.slice(of: bench.batch)
    let counts = group.sliceCounts(of: bench.batch)
    let synchronizer = group.size > 1 ? GradientSynchronizer(group: group, parameters: parameters, replicated: []) : nil
    var next = 0
    // SNIP_BENCH_MEMORY=1: where each step's memory goes, on stderr (stdout stays parseable)
    let traceMemory = ProcessInfo.processInfo.environment["SNIP_BENCH_MEMORY"] != nil
    // SNIP_BENCH_STEPS=n: time n steps instead of 3 (profiling wants the steady state)
    let steps = ProcessInfo.processInfo.environment["SNIP_BENCH_STEPS"].flatMap { Int($0) } ?? 3
    // SNIP_BENCH_PRODUCT_PRECISION=bfloat16: the linear layers' products as `--product-precision`
    let precision = ProcessInfo.processInfo.environment["SNIP_BENCH_PRODUCT_PRECISION"].flatMap(ProductPrecision.init) ?? .float32
    let seconds = time(warmup: 1, repeats: steps) { Tensor.$productPrecision.withValue(precision) {
        let (expressions, points) = batches[next % batches.count]
        next += 1
        TensorMemory.resetPeak()
        let (start, cpuStart) = (TensorMemory.liveBytes, cpuSeconds())
        var afterForward = 0
        _ = try! optimizationStep(
            parameters: parameters, optimizer: adam, clipNorm: 0.5,
            synchronize: { finite in try synchronizer?.synchronize(lossIsFinite: finite, stopRequested: false).allFinite ?? finite }
        ) {
            var symbolic = model.encodeSymbolic(Array(expressions[slice])).latent
            var numeric = model.encodeNumeric(Array(points[slice])).latent
            if synchronizer != nil {
                (symbolic, numeric) = try gatherLatents(symbolic: symbolic, numeric: numeric, group: group, counts: counts)
            }
            let loss = clipLoss(symbolic: symbolic, numeric: numeric)
            afterForward = TensorMemory.liveBytes
            return loss
        }
        if traceMemory {
            let (resident, peakResident) = residentMegabytes()
            let line = String(
                format: "step %d: live tensors %d MB at start, %d MB after forward, %d MB peak; resident %d MB, peak %d MB; CPU %.2f s\n",
                next, start >> 20, afterForward >> 20, TensorMemory.peakBytes >> 20, resident, peakResident, cpuSeconds() - cpuStart)
            FileHandle.standardError.write(line.data(using: .utf8)!)
        }
    } }
    if OpProfile.isEnabled && group.size == 1 {
        Tensor.$productPrecision.withValue(precision) { profileTrainingSteps(bench: bench, adam: adam, batches: batches) }
    }
    let memory = try! group.allReduceSum([peakMegabytes()])[0]
    if group.isLeader {
        report("CLIP training step \(bench.name) batch \(bench.batch)", seconds, "s")
        report("CLIP training \(bench.name) batch \(bench.batch)", Double(bench.batch) / seconds, "samples/s")
        report("peak memory training \(bench.name) batch \(bench.batch)", memory, "MB")
    }
    (group as? MPIProcessGroup)?.finish()
}

if only == "mpi" {
    // mpirun -np N snip-bench mpi: the collectives of one data-parallel step, timed on rank 0
    // (median of 7 after 2 warm-ups, a barrier before each): the all-reduce of the gradient of
    // the small and paper models and the all-gather of a global batch of 256 latent pairs.
    let group = try! MPIProcessGroup.start()
    func timed(_ body: () throws -> Void) -> Double {
        var samples: [Double] = []
        for round in 0..<9 {
            try! group.barrier()
            let start = MPIProcessGroup.time
            try! body()
            if round >= 2 { samples.append(MPIProcessGroup.time - start) }
        }
        return samples.sorted()[samples.count / 2]
    }
    for (name, config) in [("small", ModelConfig.small()), ("paper", ModelConfig.paper())] {
        let count = try! SNIPModel(config: config, seed: 0).parameters.reduce(0) { $0 + $1.value.count }
        var gradients = [Float](repeating: 1, count: count)
        let reduce = timed { try gradients.withUnsafeMutableBufferPointer { try group.allReduceSum($0) } }
        let latents = group.sliceCounts(of: 256).map { $0 * 2 * config.latent }
        let local = [Float](repeating: 1, count: latents[group.rank])
        let gather = timed { _ = try group.allGather(local, counts: latents) }
        if group.isLeader {
            report("gradient \(name)", Double(count * 4) / 1e6, "MB")
            report("all-reduce gradient \(name) np \(group.size)", reduce * 1e3, "ms")
            report("all-gather latents \(name) batch 256 np \(group.size)", gather * 1e3, "ms")
        }
    }
    group.finish()
}
