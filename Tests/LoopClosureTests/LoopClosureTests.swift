import Datasets
import Evaluation
import Geometry
import LoopClosure
import Odometry
import Pipeline
import Synthetic
import Testing
import Trajectories

/// Loop closure on a synthetic closed loop driven twice (the second lap revisits every place of
/// the first), one behaviour per test: every accepted loop is a true revisit, revisits are found
/// and correct the trajectory, the odometry chain is exact, and a false loop is switched off.
/// The first three share one run (serialized: `correct()` is not meant for concurrent callers).
@Suite(.serialized) struct LoopClosureTests {
    struct Run {
        var seq: SyntheticSequence
        var gt: Trajectory
        /// Every frame as the pipeline returned it, live.
        var frames: [PipelineFrame]
        var results: [FrameResult]
        var closer: LoopCloser
        var finished: PipelineResult
    }

    static func makeRun() throws -> Run {
        let seq = try SyntheticSequence(world: .canyon, trajectory: .loop, camera: CameraPreset.vga.camera, frames: 300, laps: 2, seed: 5)
        let pipeline = try StereoPipeline(camera: seq.camera)
        var frames: [PipelineFrame] = []
        try pipeline.run(seq, frames: 0..<seq.frameCount) { frames.append($0) }
        let finished = try pipeline.finish()
        guard let gt = seq.groundTruth, let closer = pipeline.loopCloser else { throw SyntheticError.badOption("no ground truth or no loop closer") }
        return Run(seq: seq, gt: gt, frames: frames, results: frames.map(\.odometry), closer: closer, finished: finished)
    }

    nonisolated(unsafe) static let shared = Result { try makeRun() }
    /// A second run of the same frames (the false-loop test adds a loop to its closer).
    nonisolated(unsafe) static let second = Result { try makeRun() }

    func ate(_ poses: [SE3], _ gt: Trajectory) throws -> Double {
        try APE.evaluate(reference: gt, estimate: Trajectory(poses: poses, timestamps: gt.timestamps),
                         relation: .translationPart, alignment: .se3).statistics.rmse
    }

    @Test func everyVerifiedLoopIsATrueRevisit() throws {
        let r = try Self.shared.get()
        #expect(!r.closer.loops.isEmpty, "no loop found")
        for l in r.closer.loops {
            let d = (r.gt.poses[l.candidate].translation - r.gt.poses[l.query].translation).norm
            #expect(d < 5, "false loop \(l.candidate)–\(l.query): true distance \(d) m")
        }
    }

    /// Recall: keyframes of the second lap with a true revisit (an older keyframe within 2 m and
    /// 45°, ≥ 60 frames back) that got an accepted loop; and the correction they bring.
    @Test func revisitsAreFoundAndCorrectTheTrajectory() throws {
        let r = try Self.shared.get()
        let c = try r.closer.correct()
        #expect(!c.accepted.isEmpty)
        let kfs = r.closer.keyframes.map(\.index)
        let revisiting = kfs.filter { q in
            kfs.contains { c in
                c <= q - 60 && (r.gt.poses[c].translation - r.gt.poses[q].translation).norm <= 2
                    && (r.gt.poses[c].rotation.inverse * r.gt.poses[q].rotation).log.norm <= Double.pi / 4
            }
        }
        let found = Set(c.accepted.map(\.query)).intersection(revisiting)
        let recall = Double(found.count) / Double(max(revisiting.count, 1))
        print("loop closure: recall \(found.count)/\(revisiting.count), \(c.accepted.count) accepted, \(c.rejected.count) rejected, \(r.closer.unconfirmed.count) unconfirmed")
        #expect(revisiting.count > 20 && recall >= 0.8, "recall \(recall)")
        let before = try ate(r.results.map(\.pose), r.gt)
        let after = try ate(r.closer.correctedFrames(r.results.map(\.pose), c), r.gt)
        print("loop closure: \(r.closer.loops.count) loops, ATE \(before) → \(after) m over \(r.gt.pathLength) m")
        #expect(after < before)
        #expect(after < 0.001 * r.gt.pathLength)
    }

    /// The map-corrected poses as `process` returned them frame by frame (each with the newest
    /// correction solved in the background by then) beat the odometry. Errors as evo's APE
    /// computes them by default, without alignment: the map frame is the first camera's, as the
    /// ground truth's is. (An SE(3) alignment fitted afterwards would hide the drift a robot lives
    /// with; the first lap cannot be corrected live: no revisit has been seen yet.)
    @Test func liveCorrectedPosesBeatTheOdometry() throws {
        let r = try Self.shared.get()
        func error(_ poses: [SE3], _ range: Range<Int>) throws -> Double {
            let gt = r.gt.subset(Array(range))
            return try APE.evaluate(reference: gt, estimate: Trajectory(poses: Array(poses[range]), timestamps: gt.timestamps),
                                    relation: .translationPart, alignment: .none).statistics.rmse
        }
        let all = 0..<r.frames.count, secondLap = r.frames.count / 2..<r.frames.count
        let odometry = try error(r.frames.map(\.pose), all), live = try error(r.frames.map(\.correctedPose), all)
        let odometry2 = try error(r.frames.map(\.pose), secondLap), live2 = try error(r.frames.map(\.correctedPose), secondLap)
        let firstCorrected = r.frames.first { $0.corrections > 0 }?.index ?? -1
        print("pipeline: APE odometry \(odometry) m, live corrected \(live) m; second lap \(odometry2) → \(live2) m; first correction at frame \(firstCorrected), \(r.frames.last?.corrections ?? 0) solves")
        #expect(firstCorrected > 120, "a correction before the end of the first lap")
        #expect(live <= 0.6 * odometry, "live corrected APE \(live) m against the odometry's \(odometry) m")
        #expect(live2 <= 0.3 * odometry2, "second lap: live corrected APE \(live2) m against the odometry's \(odometry2) m")
    }

    /// `finish()` gives the end-of-run correction of every frame, built on the refined odometry
    /// (every frame moved with its keyframe's final pose), and its live poses are the frames' own.
    @Test func finishGivesTheFinalCorrection() throws {
        let r = try Self.shared.get()
        #expect(r.finished.poses.count == r.frames.count)
        #expect(zip(r.finished.poses, r.frames).allSatisfy { $0.0 == $0.1.pose })
        // Every frame keeps the pose its solve measured relative to its keyframe, whose own frame
        // (the one whose snapshot carries its number) is at the keyframe's final pose.
        let refined = r.finished.refinedPoses
        var made: [Int: Int] = [:]
        for (g, f) in r.results.enumerated() { if let k = f.keyframe { made[k.number] = g } }
        let checked = r.results.enumerated().filter { made[$0.1.reference] != nil }
        #expect(checked.count == r.results.count, "every frame's keyframe reported a snapshot (no rescue here)")
        #expect(checked.allSatisfy { g, f in
            guard let k = made[f.reference] else { return false }
            return ((refined[k] * f.referencePose.inverse * f.pose).inverse * refined[g]).log.norm < 1e-9
        })
        // The window moved keyframes after their frames were reported: the refined poses differ.
        #expect(zip(refined, r.results).contains { ($0.0.inverse * $0.1.pose).log.norm > 1e-6 })
        let expected = r.closer.correctedFrames(refined, try r.closer.correct())
        #expect(zip(r.finished.correctedPoses, expected).allSatisfy { ($0.0.inverse * $0.1).log.norm < 1e-9 })
        let corrected = try ate(r.finished.correctedPoses, r.gt), odometry = try ate(r.frames.map(\.pose), r.gt)
        #expect(corrected < odometry)
    }

    /// The same frames give the same odometry poses, whatever the timing of background solves.
    @Test func theOdometryIsDeterministic() throws {
        let a = try Self.shared.get(), b = try Self.second.get()
        #expect(a.frames.count == b.frames.count)
        #expect(zip(a.frames, b.frames).allSatisfy { $0.0.pose == $0.1.pose && $0.0.covariance == $0.1.covariance })
    }

    /// The constant-time odometry chain between two keyframes equals step-by-step compounding.
    @Test func odometryChainEqualsStepByStepCompounding() throws {
        let r = try Self.shared.get()
        let count = r.closer.keyframes.count
        try #require(count > 20)
        for (a, b) in [(0, 1), (3, 17), (10, count - 1)] {
            var t = SE3.identity, cov = Mat6()
            for k in (a + 1)...b {
                let step = r.closer.keyframes[k - 1].pose.inverse * r.closer.keyframes[k].pose
                let ad = step.inverse.adjoint
                cov = ad * cov * ad.transposed + (r.closer.keyframes[k].relativeCovariance ?? Mat6())
                t = t * step
            }
            let chain = try #require(r.closer.odometryChain(a, b))
            #expect((chain.pose.inverse * t).log.norm < 1e-9)
            let scale = (0..<6).map { cov[$0, $0] }.max() ?? 1
            #expect((0..<36).allSatisfy { abs(chain.covariance[$0 / 6, $0 % 6] - cov[$0 / 6, $0 % 6]) <= 1e-6 * scale }, "chain \(a)…\(b)")
        }
    }

    /// Two keyframes far apart on the first lap, claimed to be 1 m apart with a confident
    /// covariance: the graph rejects the loop and the corrected trajectory is unharmed. (The second
    /// run: adding the loop changes the closer.)
    @Test func aFalseLoopIsSwitchedOff() throws {
        let r = try Self.second.get()
        let firstLap = r.closer.keyframes.filter { $0.index < 150 }
        let a = firstLap[firstLap.count / 4], b = firstLap[3 * firstLap.count / 4]
        #expect((r.gt.poses[a.index].translation - r.gt.poses[b.index].translation).norm > 10)
        var cov = Mat6()
        for i in 0..<6 { cov[i, i] = i < 3 ? 1e-4 : 1e-6 }
        let clean = try r.closer.correct()
        r.closer.addLoop(LoopConstraint(candidate: a.index, query: b.index, relative: SE3(translation: Vec3(1, 0, 0)),
                                        covariance: cov, matches: 100, inliers: 100, score: 1))
        let withLoop = try r.closer.correct()
        #expect(withLoop.rejected.contains { $0.candidate == a.index && $0.query == b.index })
        let withFalse = try ate(r.closer.correctedFrames(r.results.map(\.pose), withLoop), r.gt)
        let without = try ate(r.closer.correctedFrames(r.results.map(\.pose), clean), r.gt)
        #expect(withFalse <= 1.1 * without + 1e-6, "ATE with the false loop \(withFalse) m, without \(without) m")
    }
}

/// The pipeline over a whole dataset: the odometry of every frame and the loop closer.
func odometryWithLoopClosure(_ ds: any StereoDataset) throws -> ([FrameResult], LoopCloser) {
    let pipeline = try StereoPipeline(camera: ds.camera)
    var results: [FrameResult] = []
    try pipeline.run(ds, frames: 0..<ds.frameCount) { results.append($0.odometry) }
    _ = try pipeline.finish()
    guard let closer = pipeline.loopCloser else { throw SyntheticError.badOption("no loop closer") }
    return (results, closer)
}

/// A synthetic sequence with frames blacked out (a covered lens): tracking is lost there.
func blackedOut(_ base: SyntheticSequence, _ black: Range<Int>) -> TransformedDataset {
    TransformedDataset(base, change: "blacked out \(black)") { f in
        guard black.contains(f.index) else { return f }
        let dark = GreyImage(width: f.left.width, height: f.left.height, value: 0)
        return StereoFrame(index: f.index, timestamp: f.timestamp, left: dark, right: dark)
    }
}

@Suite struct TrackingLossTests {
    /// After black frames the odometry starts a new submap; the revisit of the start joins it to
    /// the first one, and the corrected map is one connected map.
    @Test func aSubmapBornAfterTrackingLossIsJoinedByTheLoop() throws {
        let seq = try SyntheticSequence(world: .canyon, trajectory: .loop, camera: CameraPreset.vga.camera, frames: 300, laps: 2, seed: 5)
        let (results, closer) = try odometryWithLoopClosure(blackedOut(seq, 200..<203))
        #expect(results[200..<203].allSatisfy { $0.state == .lost })
        #expect(closer.keyframes.contains { $0.index > 200 && $0.previous == nil }, "no new submap after the loss")
        let c = try closer.correct()
        #expect(c.accepted.contains { $0.query > 203 }, "no loop from the submap born after the loss")
        #expect(c.submaps.contains { $0.anchor > 200 && $0.anchor <= 210 }, "the loss must start a submap")
        #expect(c.submaps.allSatisfy { $0.keyframes.count <= closer.config.submapKeyframes })
        #expect(Set(c.component.values) == [0], "the loop must join the submaps: \(Set(c.component.values))")
    }
}

/// The target on a closed canyon loop of ≥ 600 frames: after correction ATE ≤ 0.1 % of the
/// path and at least 5× lower than without loop closure. Four laps of a 150 m block at 10 m/s:
/// every later lap revisits the first, so the loops pin the drift all along the way (a single lap
/// gives the graph one closure only — see BENCHMARKS.md, "Loop closure", for why 5× is out of
/// reach there). Every accepted loop must be a true revisit.
@Suite struct MultiLapTests {
    @Test func fourLapsOf600FramesAreCorrectedFiveFold() throws {
        let seq = try SyntheticSequence(world: .canyon, trajectory: .loop, camera: CameraPreset.vga.camera, frames: 600,
                                        speed: 10, laps: 4, seed: 1)
        let (results, closer) = try odometryWithLoopClosure(seq)
        let gt = try #require(seq.groundTruth)
        let c = try closer.correct()
        for l in c.accepted {
            let d = (gt.poses[l.candidate].translation - gt.poses[l.query].translation).norm
            #expect(d < 5, "false loop \(l.candidate)–\(l.query): true distance \(d) m")
        }
        func ate(_ poses: [SE3]) throws -> Double {
            try APE.evaluate(reference: gt, estimate: Trajectory(poses: poses, timestamps: gt.timestamps),
                             relation: .translationPart, alignment: .se3).statistics.rmse
        }
        let before = try ate(results.map(\.pose)), after = try ate(closer.correctedFrames(results.map(\.pose), c))
        print("four laps: \(c.accepted.count) loops accepted, ATE \(before) → \(after) m over \(gt.pathLength) m")
        #expect(c.accepted.count > 50)
        #expect(after <= 0.001 * gt.pathLength, "ATE \(after) m over \(gt.pathLength) m")
        #expect(after * 5 <= before, "ATE \(before) → \(after) m: less than 5× lower")
    }
}

/// The neighbours' verdict on a verified loop: one agreement confirms, only a credible solve
/// contradicts, and reading stops at the first agreement (each reading is a verification).
@Suite struct LoopConfirmationTests {
    typealias Reading = LoopCloser.NeighbourReading
    let gate = 22.46

    @Test func aWeakDisagreementIsSilence() {
        #expect(LoopCloser.confirmation([Reading(keyframe: 5, chi2: 98, credible: false)], gate: gate) == .silent)
        #expect(LoopCloser.confirmation([Reading](), gate: gate) == .silent)
    }

    @Test func aCredibleDisagreementContradicts() {
        let readings = [Reading(keyframe: 5, chi2: 98, credible: false), Reading(keyframe: 10, chi2: 40, credible: true)]
        #expect(LoopCloser.confirmation(readings, gate: gate) == .contradicted)
    }

    @Test func oneAgreementConfirmsAndEndsTheReading() {
        var read = 0
        let readings = [Reading(keyframe: 5, chi2: 98, credible: true), Reading(keyframe: 10, chi2: 3, credible: false),
                        Reading(keyframe: 15, chi2: 1, credible: true)].lazy.map { r -> Reading in read += 1; return r }
        #expect(LoopCloser.confirmation(readings, gate: gate) == .agreed(by: 10))
        #expect(read == 2)
    }
}
