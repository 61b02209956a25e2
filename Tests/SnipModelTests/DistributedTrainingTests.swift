import Foundation
import SnipModel
import SnipNN
import SnipTensor
import TestSupport
import Testing

/// What a finished run leaves: its per-step losses and every trained value by key.
private struct RunResult: Sendable {
    var losses: [Double]
    var gradientNorms: [Double]
    var weights: [String: [Float]]
}

private func result(of trainer: Pretrainer) throws -> RunResult {
    var weights: [String: [Float]] = [:]
    let head = trainer.propertyTargetHead?.namedParameters(prefix: "aux.") ?? []
    for (key, p) in trainer.model.namedParameters() + trainer.loss.parameters + head { weights[key] = p.value.scalars }
    let metrics = try trainer.run.metrics()
    return RunResult(
        losses: metrics.map { $0["loss"] as! Double }, gradientNorms: metrics.map { $0["gradientNorm"] as! Double },
        weights: weights)
}

/// Losses within `rtol` relative, every weight within `atol`.
private func expectSameRun(_ a: RunResult, _ b: RunResult, rtol: Double = 1e-5, atol: Double = 1e-5, _ what: String) {
    assertClose(b.losses, a.losses, rtol: rtol, atol: 0, "\(what): losses")
    assertClose(b.gradientNorms, a.gradientNorms, rtol: 1e-4, atol: 0, "\(what): gradient norms")
    #expect(Set(a.weights.keys) == Set(b.weights.keys))
    for (key, value) in a.weights {
        assertClose((b.weights[key] ?? []).map(Double.init), value.map(Double.init), rtol: 0, atol: atol, "\(what): \(key)")
    }
}

struct DistributedTrainingTests {
    static let config = ModelConfig(maxInputDimension: 1, width: 16, layers: 1, heads: 2, latent: 8, pointTokenWidth: 4)

    @Test func slicesPartitionTheBatchInRankOrder() {
        let ranks = ThreadBoard(size: 3).ranks()
        #expect(ranks.map { $0.slice(of: 8) } == [0..<2, 2..<5, 5..<8])
        #expect(ranks[0].sliceCounts(of: 8) == [2, 3, 3])
        #expect(SingleProcess().slice(of: 8) == 0..<8)
    }

    @Test func replacedRowsTakeTheLocalValuesAndOnlyTheirGradient() {
        let gathered = randomTensor([5, 3], seed: 1)
        var local = randomTensor([2, 3], seed: 2)
        local.requiresGrad = true
        let joined = rowsReplaced(in: gathered, by: local, at: 2)  // [5, 3]
        let rows = joined.rows
        #expect(rows[0] == gathered.rows[0] && rows[1] == gathered.rows[1] && rows[4] == gathered.rows[4])
        #expect(rows[2] == local.rows[0] && rows[3] == local.rows[1])
        let weights = randomTensor([5, 3], seed: 3)
        (joined * weights).sum().backward()
        #expect(local.grad?.rows == [weights.rows[2], weights.rows[3]])
    }

    /// Gather-with-gradient, the maths alone: N simulated ranks, each back-propagating the
    /// whole-batch loss through its own rows only; the sum of their model gradients (and the
    /// mean of their loss-scalar gradients) is the single-batch gradient.
    @Test(arguments: [ContrastiveObjective.clip, .clipNormalized, .siglip], [false, true])
    func rankGradientsAddUpToTheBatchGradient(objective: ContrastiveObjective, lookAlikes: Bool) throws {
        for ranks in [2, 3] { try checkRankGradients(objective: objective, lookAlikes: lookAlikes, ranks: ranks) }
    }

    private func checkRankGradients(objective: ContrastiveObjective, lookAlikes: Bool, ranks: Int) throws {
        let model = try SNIPModel(config: Self.config, seed: 4)
        let loss = ContrastiveLoss(objective: objective, temperature: 0.5)
        let examples = try RandomTokens(seed: 3, vocabulary: VocabularyLayout(config: Self.config)).examples(forStep: 0, count: 7)
        let b = examples.count
        var generator = SeededGenerator(seed: 9)
        let table: [Bool]? = lookAlikes ? (0..<(b * b)).map { _ in Double.random(in: 0..<1, using: &generator) < 0.2 } : nil
        let parameters = model.parameters + loss.parameters.map(\.parameter)
        let modelCount = model.parameters.count

        func gradients() -> [[Double]] { parameters.map { $0.grad?.scalars.map(Double.init) ?? [] } }
        func encode(_ part: ArraySlice<TrainingExample>) -> (Tensor, Tensor) {
            (model.encodeSymbolic(part.map(\.expressionTokens)).latent, model.encodeNumeric(part.map(\.pointTokens)).latent)
        }

        for p in parameters { p.value.zeroGrad() }
        let (f, y) = encode(examples[...])
        let whole = loss(symbolic: f, numeric: y, lookAlikes: table)
        whole.backward()
        let expected = gradients()

        // what each rank computes and gathers: its slice's latents
        let group = ThreadBoard(size: ranks).ranks()[0]
        let slices = (0..<ranks).map { group.slice(of: b, rank: $0) }
        let latents = withoutGrad { slices.map { encode(examples[$0]) } }
        let gatheredF = Tensor.concatenate(latents.map(\.0), axis: 0)
        let gatheredY = Tensor.concatenate(latents.map(\.1), axis: 0)
        var summed = expected.map { [Double](repeating: 0, count: $0.count) }
        for slice in slices {
            for p in parameters { p.value.zeroGrad() }
            let (localF, localY) = encode(examples[slice])
            let value = loss(
                symbolic: rowsReplaced(in: gatheredF, by: localF, at: slice.lowerBound),
                numeric: rowsReplaced(in: gatheredY, by: localY, at: slice.lowerBound), lookAlikes: table)
            #expect(abs(value.item - whole.item) <= 1e-5 * abs(whole.item), "every rank computes the batch's loss")
            value.backward()
            for (index, g) in gradients().enumerated() where !g.isEmpty {
                let weight = index < modelCount ? 1 : 1 / Double(ranks)  // model: sum; loss scalars: mean
                for k in g.indices { summed[index][k] += weight * g[k] }
            }
        }
        for index in parameters.indices {
            assertClose(summed[index], expected[index], rtol: 1e-4, atol: 1e-6, "parameter \(index) of \(parameters.count)")
        }
    }

    /// The whole trainer, with threads for processes: N ranks train one model to the same
    /// losses and weights as one process, and a run resumes across N (with the auxiliary
    /// property loss too: its head and the logged losses match; and with the soft-neighbour
    /// loss, which every rank computes over the whole batch's gathered rows and targets).
    @Test(arguments: [
        (ContrastiveObjective.clip, false, 0.0, 0.0), (.siglip, true, 0.0, 0.0), (.clip, true, 2.0, 0.0), (.clip, true, 2.0, 1.0),
    ])
    func ranksTrainLikeOneProcessAndResumeAcrossCounts(
        objective: ContrastiveObjective, lookAlikes: Bool, propertyWeight: Double, neighborWeight: Double
    ) throws {
        var options = PretrainingOptions()
        options.batchSize = 7
        options.learningRate = 1e-5
        options.warmup = 1
        options.checkpointEvery = 2
        options.objective = objective
        options.lookAlikeTargets = lookAlikes
        options.propertyWeight = propertyWeight
        options.neighborWeight = neighborWeight
        let runOptions = options
        let targets = propertyWeight > 0
        let spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: false, skeleton: false)
        let config = Self.config
        let tag = objective.rawValue + (targets ? "-property" : "") + (neighborWeight > 0 ? "-neighbor" : "")
        let (single, split, resumed) = (
            freshTemporaryPath("dist-single-\(tag)"), freshTemporaryPath("dist-split-\(tag)"), freshTemporaryPath("dist-resumed-\(tag)"))
        defer { for d in [single, split, resumed] { try? FileManager.default.removeItem(atPath: d) } }

        let one = try Pretrainer(model: SNIPModel(config: config, seed: 2), options: options, directory: single, seed: 5, data: spec)
        #expect(try one.train(data: spec.trainingData(config: config, seed: 5, propertyTargets: targets), steps: 4) == .finished)
        let reference = try result(of: one)
        #expect(Set(reference.losses).count > 1)
        #expect(reference.weights.keys.contains { $0.hasPrefix("aux.") } == targets)

        for n in [2, 3] {
            try? FileManager.default.removeItem(atPath: split)
            let runs = try onThreads(ThreadBoard(size: n).ranks()) { rank in
                let trainer = try Pretrainer(
                    model: SNIPModel(config: config, seed: 2), options: runOptions, directory: split, seed: 5, data: spec, group: rank)
                _ = try trainer.train(data: spec.trainingData(config: config, seed: 5, propertyTargets: targets), steps: 4)
                return rank.isLeader ? try result(of: trainer) : nil
            }
            expectSameRun(reference, try #require(runs[0]), "\(n) ranks")
        }

        // 2 ranks for two steps, then one process to the end
        _ = try onThreads(ThreadBoard(size: 2).ranks()) { rank in
            let trainer = try Pretrainer(
                model: SNIPModel(config: config, seed: 2), options: runOptions, directory: resumed, seed: 5, data: spec, group: rank)
            _ = try trainer.train(data: spec.trainingData(config: config, seed: 5, propertyTargets: targets), steps: 2)
        }
        let (rest, seed) = try Pretrainer.resume(directory: resumed)
        #expect(rest.step == 2)
        #expect(try rest.train(data: spec.trainingData(config: config, seed: seed, propertyTargets: targets), steps: 4) == .finished)
        expectSameRun(reference, try result(of: rest), "2 ranks, resumed by 1")
    }

    @Test func theMPILaunchIsReadFromTheEnvironment() {
        #expect(MPILaunch.detect(in: [:]) == nil)
        #expect(MPILaunch.detect(in: ["OMPI_COMM_WORLD_SIZE": "4"])?.variable == "OMPI_COMM_WORLD_SIZE")
        #expect(MPILaunch.detect(in: ["PMIX_RANK": "0"]) != nil)
        #expect(MPILaunch.detect(in: ["SLURM_PROCID": "0", "SLURM_STEP_NUM_TASKS": "8"]) != nil)
        // a batch script's own single task is not an MPI launch
        #expect(MPILaunch.detect(in: ["SLURM_PROCID": "0", "SLURM_STEP_NUM_TASKS": "1", "SLURM_NTASKS": "8"]) == nil)
        #expect(MPILaunch.detect(in: ["OMPI_COMM_WORLD_SIZE": "4", "SNIP_MPI": "0"]) == nil)
    }
}
