import Foundation
import Geometry
import Odometry
import PoseGraph

/// Recognises revisits among the odometry's keyframes, verifies and confirms them, and corrects
/// the trajectory across submaps, global to local (METHOD.md §7).
///
/// ```swift
/// let closer = LoopCloser(camera: camera)
/// for frame in frames { let r = try vo.process(…); if let k = r.keyframe { closer.add(k) } }
/// let correction = try closer.correct()
/// let poses = closer.correctedFrames(results.map(\.pose), correction)
/// ```
/// Detection per keyframe: its bag of words is scored against older keyframes (more than
/// `minFrameGap` frames back) through the inverted index; a candidate must reach a share of the
/// query's similarity with its own previous keyframe and beat its neighbouring keyframes' scores;
/// it is verified geometrically (`LoopVerifier`) and confirmed by a neighbour of the candidate whose
/// verification agrees (or, when no neighbour verifies, kept only with many inliers). Correction: see `correct()`.
public final class LoopCloser {
    public typealias Correction = LoopGraph.Correction
    public let config: LoopClosureConfig
    /// The keyframes and loops so far: what a correction is solved from. A value: a copy can be
    /// solved on another thread while keyframes go on being added here.
    public private(set) var graph: LoopGraph
    /// The keyframes added so far, in order.
    public var keyframes: [KeyframeSnapshot] { graph.keyframes }
    /// Loops that passed verification and confirmation (whether or not the graph kept them).
    public var loops: [LoopConstraint] { graph.loops }
    /// Loops that verified but were contradicted by a neighbour, or were weak and unconfirmed (never used).
    public private(set) var unconfirmed: [LoopConstraint] = []
    private var index: PlaceIndex?
    /// Bag of words of each keyframe (by slot), once the index exists.
    private var bags: [BagOfWords] = []
    private let verifier: LoopVerifier
    /// Time spent in place recognition per keyframe (bag of words, index query, candidate
    /// selection), and in geometric verification and confirmation, seconds.
    public private(set) var recognitionSeconds: [Double] = []
    public private(set) var verificationSeconds: [Double] = []

    public init(camera: StereoCamera, odometry: OdometryConfig = OdometryConfig(), config: LoopClosureConfig = LoopClosureConfig()) {
        self.config = config
        graph = LoopGraph(config: config)
        verifier = LoopVerifier(solver: PoseSolver(camera: camera, config: odometry))
        switch config.words {
        case .hashed: index = PlaceIndex(mapping: HashedWords())
        case .vocabulary(let v): index = PlaceIndex(mapping: v)
        case .trainOnFirstUse: index = nil
        }
    }

    /// The vocabulary in use (nil with hashed words, or before training on first use).
    public var vocabulary: Vocabulary? { index?.mapping as? Vocabulary }

    /// Moves keyframes to newer odometry poses, by keyframe number (`LoopGraph.moveKeyframes`).
    public func moveKeyframes(_ poses: [Int: SE3]) { graph.moveKeyframes(poses) }

    /// Adds a keyframe: looks for a revisit among older keyframes, then indexes it.
    public func add(_ keyframe: KeyframeSnapshot) {
        graph.append(keyframe)
        if index == nil, case .trainOnFirstUse(let n, let k, let depth) = config.words {
            guard keyframes.count >= n else { return }
            let training = keyframes.flatMap { $0.descriptors.compactMap { $0 } }
            // Too few descriptors to train (e.g. textureless frames): keep collecting.
            guard let v = try? Vocabulary(training: training, branching: k, depth: depth) else { return }
            index = PlaceIndex(mapping: v)
            for s in keyframes.indices { detectAndIndex(s) }
            return
        }
        detectAndIndex(keyframes.count - 1)
    }

    /// Adds an externally made constraint (e.g. from another session, or a test's false loop).
    public func addLoop(_ loop: LoopConstraint) { graph.loops.append(loop) }

    /// Solves the correction of the keyframes and loops so far (see `LoopGraph.correct()`).
    public func correct() throws(PoseGraphError) -> Correction { try graph.correct() }

    /// Every frame's pose corrected with its keyframe (see `LoopGraph.correctedFrames`).
    public func correctedFrames(_ framePoses: [SE3], _ c: Correction) -> [SE3] { graph.correctedFrames(framePoses, c) }

    /// The odometry chain between two keyframe slots (see `LoopGraph.odometryChain`).
    public func odometryChain(_ a: Int, _ b: Int) -> (pose: SE3, covariance: Mat6)? { graph.odometryChain(a, b) }

    private func detectAndIndex(_ s: Int) {
        guard var index else { return }
        let t0 = Date()
        let kf = keyframes[s]
        let bag = index.bag(kf.descriptors)
        let candidates = selectCandidates(s, bag: bag, index: index)
        recognitionSeconds.append(Date().timeIntervalSince(t0))
        let t1 = Date()
        for (c, score) in candidates {
            guard var loop = verifier.verify(query: kf, candidate: keyframes[c], score: score) else { continue }
            switch confirm(loop, query: kf, candidate: c) {
            case .agreed(let by): loop.confirmedBy = by
            case .contradicted: unconfirmed.append(loop); continue
            case .silent where loop.inliers < config.unconfirmedMinInliers: unconfirmed.append(loop); continue
            case .silent: break
            }
            graph.loops.append(loop)
            break
        }
        verificationSeconds.append(Date().timeIntervalSince(t1))
        index.insert(frame: kf.index, bag: bag)
        self.index = index
        bags.append(bag)
    }

    /// Candidate slots for the keyframe at slot `s`, best first: old enough, similar enough (in
    /// absolute terms and relative to the query's previous keyframe), and a local maximum of the
    /// score among the candidate's neighbouring keyframes.
    private func selectCandidates(_ s: Int, bag: BagOfWords, index: PlaceIndex) -> [(slot: Int, score: Double)] {
        let kf = keyframes[s]
        let found = index.query(bag, before: kf.index - config.minFrameGap, limit: 4 * config.candidates + 8)
        var score: [Int: Double] = [:]
        for f in found { if let c = graph.slot[f.frame] { score[c] = f.score } }
        // The best a revisit can hope for: the similarity with the previous keyframe (when tracked).
        var reference = 0.0
        if s > 0, kf.previous == keyframes[s - 1].index, s - 1 < bags.count { reference = index.similarity(bag, bags[s - 1]) }
        var out: [(slot: Int, score: Double)] = []
        for f in found {
            guard f.score >= config.minScore, f.score >= config.minRelativeScore * reference else { break }
            guard let c = graph.slot[f.frame] else { continue }
            let neighbours = [c - 1, c + 1].filter { keyframes.indices.contains($0) && $0 < s }
            guard neighbours.allSatisfy({ (score[$0] ?? 0) <= f.score }) else { continue }
            out.append((c, f.score))
            if out.count == config.candidates { break }
        }
        return out
    }

    /// What the candidate's neighbours say of a verified loop.
    public enum Confirmation: Equatable, Sendable { case agreed(by: Int), contradicted, silent }

    /// One neighbour's own verification of the query, compared with the loop.
    public struct NeighbourReading: Sendable {
        /// The neighbouring keyframe's frame index.
        public var keyframe: Int
        /// χ² of the disagreement between the loop and the neighbour's solve composed with the odometry.
        public var chi2: Double
        /// Whether the neighbour's solve clears the full bar of a loop (not only a confirmation's).
        public var credible: Bool
        public init(keyframe: Int, chi2: Double, credible: Bool) { self.keyframe = keyframe; self.chi2 = chi2; self.credible = credible }
    }

    /// The neighbours' verdict, read in order (lazily: the first agreement ends it). One agreeing
    /// neighbour confirms: two independent solves agreeing in pose is the evidence, so a looser bar
    /// is enough. Disagreement is evidence only from a solve as credible as a loop: a weak one (a
    /// few inliers at the confirmation's bar) that disagrees is more likely wrong itself.
    public static func confirmation(_ readings: some Sequence<NeighbourReading>, gate: Double) -> Confirmation {
        var contradicted = false
        for r in readings {
            if r.chi2 <= gate { return .agreed(by: r.keyframe) }
            if r.credible { contradicted = true }
        }
        return contradicted ? .contradicted : .silent
    }

    /// Checks a verified loop against the candidate's neighbouring keyframes (covisibility): the
    /// query verified against a neighbour, composed with the odometry between candidate and
    /// neighbour, must agree with the loop (χ² under the gate, both solves' covariances and the
    /// inflated odometry link); see `confirmation(_:gate:)`.
    private func confirm(_ loop: LoopConstraint, query: KeyframeSnapshot, candidate c: Int) -> Confirmation {
        let neighbours = [c + 1, c - 1, c + 2, c - 2].filter {
            keyframes.indices.contains($0) && keyframes[$0].index < query.index - config.minFrameGap / 2
        }
        let readings = neighbours.lazy.compactMap { n -> NeighbourReading? in
            let neighbour = self.keyframes[n]
            guard let other = self.verifier.verify(query: query, candidate: neighbour, score: 0, confirming: true),
                  let link = self.odometryChain(c, n) else { return nil }
            let e = (loop.relative.inverse * (link.pose * other.relative)).log
            let ad = other.relative.inverse.adjoint
            guard let info = (loop.covariance + other.covariance + ad * link.covariance * ad.transposed * self.config.chainInflation).inverse else { return nil }
            return NeighbourReading(keyframe: neighbour.index, chi2: e.dot(info * e), credible: self.verifier.meetsFullBar(other))
        }
        return Self.confirmation(readings, gate: config.gate)
    }
}
