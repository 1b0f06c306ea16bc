import Evaluation
import Foundation
import Geometry
import TestSupport
import Testing
import Trajectories

@Suite struct StatisticsTests {
    @Test func evenCountMatchesNumPyDefinitions() {
        let s = ErrorStatistics([4, 1, 3, 2])
        #expect(s.mean == 2.5)
        #expect(s.median == 2.5)
        #expect(s.min == 1 && s.max == 4)
        #expect(s.sse == 30)
        #expect(abs(s.rmse - (7.5).squareRoot()) < 1e-15)
        #expect(abs(s.std - (1.25).squareRoot()) < 1e-15)   // population std (ddof 0)
    }

    @Test func oddCountMedianIsTheMiddleValue() {
        #expect(ErrorStatistics([5, 1, 9]).median == 5)
        #expect(ErrorStatistics([7]).std == 0)
    }

    @Test func tableUsesEvoNamesOrderAndFormat() {
        let r = EvaluationReport(metric: "APE", title: "T", reference: "r", estimate: "e", count: 2,
                                 stats: ErrorStatistics([1, 3]))
        let lines = r.table.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "T" && lines[1] == "")
        #expect(lines[2] == "       max\t3.000000")
        #expect(lines.dropFirst(2).prefix(7).map { $0.split(separator: "\t")[0].trimmingCharacters(in: .whitespaces) }
            == ["max", "mean", "median", "min", "rmse", "sse", "std"])
        let back = try? EvaluationReport.decode(Data(r.json.utf8))
        #expect(back == r)
    }
}

@Suite struct UmeyamaTests {
    @Test func svdReconstructsIncludingRankDeficient() {
        var g = SplitMix(state: 7)
        for k in 0..<200 {
            var a = Mat3(rows: randomVec3(&g), randomVec3(&g), randomVec3(&g))
            if k % 4 == 1 { a.r2 = a.r0 * 0.5 - a.r1 * 2 }                 // rank 2
            if k % 4 == 2 { a = Mat3.outer(randomVec3(&g), randomVec3(&g)) } // rank 1
            let svd = SVD3(a)
            let back = svd.u * Mat3(diagonal: svd.singularValues) * svd.v.transposed
            #expect((back - a).frobeniusNorm < 1e-13 * max(1, a.frobeniusNorm), "\(a)")
            #expect((svd.u.transposed * svd.u - .identity).frobeniusNorm < 1e-13)
            #expect((svd.v.transposed * svd.v - .identity).frobeniusNorm < 1e-13)
            let s = svd.singularValues
            #expect(s.x >= s.y && s.y >= s.z && s.z >= 0)
        }
    }

    @Test func recoversAKnownSimilarity() throws {
        var g = SplitMix(state: 3)
        for withScale in [false, true] {
            let truth = Sim3(rotation: randomRotation(&g), translation: randomVec3(&g, scale: 10), scale: withScale ? 2.7 : 1)
            let x = (0..<50).map { _ in randomVec3(&g, scale: 5) }
            let y = x.map { truth * $0 }
            let sim = try umeyamaAlignment(x, y, withScale: withScale)
            #expect(abs(sim.scale - truth.scale) < 1e-12)
            #expect((sim.rotation.matrix - truth.rotation.matrix).frobeniusNorm < 1e-12)
            #expect((sim.translation - truth.translation).norm < 1e-10)
        }
    }

    @Test func neverReturnsAReflection() throws {
        // A mirrored point set: the best orthogonal map is a reflection; Umeyama must return
        // the best proper rotation (det +1) instead.
        var g = SplitMix(state: 11)
        let x = (0..<30).map { _ in randomVec3(&g, scale: 3) }
        let y = x.map { Vec3($0.x, $0.y, -$0.z) }
        let sim = try umeyamaAlignment(x, y, withScale: true)
        #expect(abs(sim.rotation.matrix.determinant - 1) < 1e-12)
    }

    @Test func collinearPointsAreDegenerate() {
        let x = (0..<10).map { Vec3(Double($0), 0, 0) }
        #expect(throws: AlignmentError.self) { try umeyamaAlignment(x, x, withScale: false) }
        #expect(throws: AlignmentError.self) { try umeyamaAlignment([Vec3(1, 2, 3)], [Vec3(1, 2, 3)], withScale: false) }
    }
}

@Suite struct APETests {
    @Test func alignmentsRemoveExactlyTheTransformTheyModel() throws {
        var g = SplitMix(state: 5)
        let ref = randomTrajectory(&g, count: 80)
        let rigid = SE3(rotation: randomRotation(&g), translation: randomVec3(&g, scale: 20))
        let moved = ref.transformedWorld(by: rigid)
        var scaled = moved
        scaled.poses = moved.poses.map { SE3(rotation: $0.rotation, translation: $0.translation * 0.4) }

        #expect(try APE.evaluate(reference: ref, estimate: moved).statistics.rmse > 1)
        #expect(try APE.evaluate(reference: ref, estimate: moved, alignment: .se3).statistics.max < 1e-9)
        #expect(try APE.evaluate(reference: ref, estimate: moved, alignment: .origin).statistics.max < 1e-9)
        #expect(try APE.evaluate(reference: ref, estimate: scaled, alignment: .se3).statistics.rmse > 1)
        let sim = try APE.evaluate(reference: ref, estimate: scaled, alignment: .sim3)
        #expect(sim.statistics.max < 1e-9)
        #expect(abs((sim.alignmentTransform?.scale ?? 0) - 2.5) < 1e-12)
        // Rotation errors vanish too once aligned.
        for relation in PoseRelation.allCases {
            #expect(try APE.evaluate(reference: ref, estimate: moved, relation: relation, alignment: .se3).statistics.max < 1e-7)
        }
    }

    @Test func scaleOnlyAlignmentOnlyScales() throws {
        var g = SplitMix(state: 8)
        let ref = randomTrajectory(&g, count: 60)
        var half = ref
        half.poses = ref.poses.map { SE3(rotation: $0.rotation, translation: $0.translation * 0.5) }
        let r = try APE.evaluate(reference: ref, estimate: half, alignment: .scale)
        #expect(abs((r.alignmentTransform?.scale ?? 0) - 2) < 1e-12)
        #expect(r.statistics.max < 1e-9)
        #expect(r.title.hasSuffix("(scale corrected)"))
    }

    @Test func nToAlignUsesOnlyTheFirstPoses() throws {
        var g = SplitMix(state: 9)
        let ref = randomTrajectory(&g, count: 100)
        let rigid = SE3(rotation: randomRotation(&g), translation: randomVec3(&g, scale: 5))
        var est = ref.transformedWorld(by: rigid)
        for i in 50..<100 { est.poses[i].translation += Vec3(3, 0, 0) }   // corrupted second half
        let first = try APE.evaluate(reference: ref, estimate: est, alignment: .se3, nToAlign: 50)
        #expect(first.errors.prefix(50).allSatisfy { $0 < 1e-9 })
        #expect(first.errors.suffix(50).allSatisfy { abs($0 - 3) < 1e-9 })
        #expect(first.title.hasSuffix("(aligned poses: 50)"))
        let all = try APE.evaluate(reference: ref, estimate: est, alignment: .se3)
        #expect(all.errors.prefix(50).contains { $0 > 0.1 })
    }

    @Test func rotationAngleFollowsSciPyOnNonOrthonormalMatrices() {
        var g = SplitMix(state: 12)
        for angle in [1e-4, 0.01, 0.5, 2.0, 3.1] {
            let axis = randomVec3(&g)
            let r = SO3.exp(axis / axis.norm * angle)
            #expect(abs(PoseRelation.rotationAngle(r.matrix) - angle) < 1e-12)
            // Perturbed as a file rounded to ~7 digits: the angle is that of the nearest rotation.
            let noisy = r.matrix + Mat3(rows: randomVec3(&g, scale: 1e-7), randomVec3(&g, scale: 1e-7), randomVec3(&g, scale: 1e-7))
            let nearest = SO3(uncheckedMatrix: noisy.orthonormalized ?? noisy)
            #expect(abs(PoseRelation.rotationAngle(noisy) - nearest.angle) < 1e-12)
        }
    }
}

@Suite struct RPETests {
    /// An estimate that drifts by a fixed body-frame offset per frame has a known RPE.
    @Test func constantDriftGivesItsPerFrameError() throws {
        var g = SplitMix(state: 4)
        let ref = randomTrajectory(&g, count: 101)
        let drift = SE3(rotation: .identity, translation: Vec3(0.01, 0, 0))
        var est = ref
        for i in 1..<ref.count { est.poses[i] = est.poses[i - 1] * drift * (ref.poses[i - 1].inverse * ref.poses[i]) }
        let r1 = try RPE.evaluate(reference: ref, estimate: est)
        #expect(r1.errors.count == 100)
        #expect(r1.errors.allSatisfy { abs($0 - 0.01) < 1e-9 })
        let all10 = try RPE.evaluate(reference: ref, estimate: est, options: .init(delta: 10, allPairs: true))
        #expect(all10.errors.count == 91)
        #expect(all10.title.contains("for delta = 10 (frames) using all pairs"))
        let angle = try RPE.evaluate(reference: ref, estimate: est, relation: .rotationAngleDeg)
        #expect(angle.statistics.max < 1e-9)
    }

    @Test func invalidDeltasAreRejected() {
        var g = SplitMix(state: 2)
        let t = randomTrajectory(&g, count: 20)
        #expect(throws: EvaluationError.self) { try RPE.evaluate(reference: t, estimate: t, options: .init(delta: 1.5)) }
        #expect(throws: EvaluationError.self) { try RPE.evaluate(reference: t, estimate: t, options: .init(delta: -1)) }
        #expect(throws: EvaluationError.self) { try RPE.evaluate(reference: t, estimate: t, options: .init(delta: 50)) }
        #expect(throws: EvaluationError.self) {
            try RPE.evaluate(reference: t, estimate: t, options: .init(delta: 1000, deltaUnit: .meters))
        }
    }
}
