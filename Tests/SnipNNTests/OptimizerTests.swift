import Foundation
import SnipNN
import SnipTensor
import Testing
import TestSupport

struct OptimizerTests {
    /// The reference optimizer (`adam_inverse_sqrt,warmup_updates=10000`, lr 1e-5) on a
    /// 5-element tensor for 3 steps: parameters, moments and learning rates.
    @Test func referenceAdamMatchesTheGolden() throws {
        let golden = try Golden.load("optim.json", from: .module)
        let parameter = Parameter(Tensor(golden["initial_param"].doubles.map(Float.init)))
        let adam = Adam(parameters: [parameter], schedule: .reference(peak: golden["lr"].double))
        for step in golden["steps"].array {
            #expect(Swift.abs(adam.learningRate - step["lr_used"].double) < 1e-20)
            parameter.value.zeroGrad()
            // d(Σ p·g)/dp = g
            (parameter.value * Tensor(step["grad"].doubles.map(Float.init))).sum().backward()
            adam.step()
            // bit-identical float32 results (1e-9 only absorbs the goldens' shortest decimal form)
            assertClose(parameter.value.scalars, step["param_after"].doubles, rtol: 1e-9, atol: 0, "parameter")
            assertClose(adam.moments[0].mean.scalars, step["exp_avg"].doubles, rtol: 1e-9, atol: 0, "exp_avg")
            assertClose(adam.moments[0].squares.scalars, step["exp_avg_sq"].doubles, rtol: 1e-9, atol: 0, "exp_avg_sq")
            #expect(adam.updates == step["num_updates_after"].int)
            #expect(Swift.abs(adam.learningRate - step["lr_after"].double) < 1e-20)
        }
    }

    @Test func inverseSquareRootScheduleMatchesTheGolden() throws {
        let golden = try Golden.load("optim.json", from: .module)
        let schedule = LearningRateSchedule.reference(peak: 1e-5)
        for key in golden["lr_schedule"].keys {
            let expected = golden["lr_schedule"][key].double
            #expect(Swift.abs(schedule.rate(after: Int(key)!) - expected) <= 1e-12 * expected, "updates \(key)")
        }
    }

    @Test func aCooldownFallsLinearlyToZeroFromTheBaseRate() {
        let base = LearningRateSchedule.inverseSquareRoot(peak: 1e-3, warmup: 4)
        let cooled = LearningRateSchedule.linearCooldown(base: base, from: 16, steps: 4)
        for n in 0...16 { #expect(cooled.rate(after: n) == base.rate(after: n), "updates \(n)") }
        // base(16) = 1e-3 · √(4/16) = 5e-4, then 3/4, 2/4, 1/4 of it, then 0 for good
        #expect(Swift.abs(base.rate(after: 16) - 5e-4) < 1e-15)
        for (k, fraction) in [(17, 0.75), (18, 0.5), (19, 0.25), (20, 0.0), (21, 0.0), (500, 0.0)] {
            #expect(Swift.abs(cooled.rate(after: k) - 5e-4 * fraction) < 1e-15, "updates \(k)")
        }
        // it survives encoding (runs record their options)
        let decoded = try? JSONDecoder().decode(LearningRateSchedule.self, from: JSONEncoder().encode(cooled))
        #expect(decoded == cooled)
    }

    @Test func aShiftedScheduleContinuesTheBaseAfterARamp() {
        let base = LearningRateSchedule.inverseSquareRoot(peak: 1e-3, warmup: 4)
        let shifted = LearningRateSchedule.shifted(base: base, by: 16, ramp: 4)
        // base(16) = 5e-4: the first update gets a quarter of it, the fourth all of base(19)
        #expect(Swift.abs(shifted.rate(after: 0) - 5e-4 / 4) < 1e-15)
        #expect(Swift.abs(shifted.rate(after: 1) - base.rate(after: 17) / 2) < 1e-15)
        for n in [3, 4, 10, 1000] { #expect(shifted.rate(after: n) == base.rate(after: 16 + n), "updates \(n)") }
        #expect(LearningRateSchedule.shifted(base: base, by: 0, ramp: 1).rate(after: 5) == base.rate(after: 5))
        let decoded = try? JSONDecoder().decode(LearningRateSchedule.self, from: JSONEncoder().encode(shifted))
        #expect(decoded == shifted)
    }

    @Test func pytorchAdamWStep() {
        // one step of torch.optim.AdamW(lr=0.1, weight_decay=0.01) from p=1 with g=0.5:
        // p·(1 − 0.001) − 0.1 · m̂/(√v̂ + 1e-8) with m̂ = 0.5, √v̂ = 0.5
        let p = Parameter(Tensor([1]))
        let adam = Adam(parameters: [p], schedule: .constant(0.1), weightDecay: 0.01, form: .pytorchAdamW)
        (p.value * 0.5).sum().backward()
        adam.step()
        #expect(Swift.abs(Double(p.value.item) - (0.999 - 0.1 * 0.5 / (0.5 + 1e-8))) < 1e-6)
    }

    @Test func clippingScalesToTheNormAndReportsIt() {
        let a = Parameter(Tensor([0, 0]))
        let b = Parameter(Tensor([0]))
        (a.value * Tensor([3, 0])).sum().backward()
        (b.value * Tensor([4])).sum().backward()
        let norm = clipGradientNorm([a, b], maxNorm: 0.5)
        #expect(Swift.abs(norm - 5) < 1e-9)
        let scale = 0.5 / (5 + 1e-6)
        assertClose(a.grad!.scalars, [3 * scale, 0], rtol: 1e-6)
        assertClose(b.grad!.scalars, [4 * scale], rtol: 1e-6)
        // below the limit: untouched
        let c = Parameter(Tensor([0]))
        (c.value * 0.1).sum().backward()
        #expect(clipGradientNorm([c], maxNorm: 0.5) < 0.5 && c.grad?.scalars == [0.1])
        // a NaN gradient is reported, not spread
        let d = Parameter(Tensor([0]))
        (d.value * Float.nan).sum().backward()
        #expect(clipGradientNorm([d], maxNorm: 0.5).isNaN && !d.gradientIsFinite)
    }
}
