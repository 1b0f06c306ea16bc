import Evaluation
import Geometry
import TestSupport
import Testing
import Trajectories

@Suite struct AssociationTests {
    @Test func nearestWithinMaxDiffTiesGoToTheEarlierStamp() {
        let (a, b) = Association.matchingIndices([0.0, 0.104, 0.2, 0.5, 0.95], [0.0, 0.1, 0.11, 0.3, 0.9],
                                                 maxDiff: 0.01)
        #expect(a == [0, 1])
        #expect(b == [0, 1])   // 0.104 is nearer 0.1 than 0.11
        let tie = Association.matchingIndices([1.0], [0.5, 1.5], maxDiff: 0.5)
        #expect(tie.second == [0])
    }

    @Test func offsetShiftsTheSecondStamps() {
        let (a, b) = Association.matchingIndices([1.0, 2.0, 3.0], [0.5, 1.5, 2.5], maxDiff: 0.01, offset2: 0.5)
        #expect(a == [0, 1, 2] && b == [0, 1, 2])
        #expect(Association.matchingIndices([1.0, 2.0], [0.5, 1.5], maxDiff: 0.01).first.isEmpty)
    }

    @Test func unsortedStampsUseLinearSearch() {
        let (a, b) = Association.matchingIndices([1.0, 2.0, 3.0], [3.001, 1.002, 2.5], maxDiff: 0.01)
        #expect(a == [0, 2] && b == [1, 0])
    }

    @Test func associateMatchesTheShorterInTheLonger() throws {
        var g = SplitMix(state: 1)
        let ref = randomTrajectory(&g, count: 50, withTimes: true)
        var est = ref.subset(Array(stride(from: 0, to: 50, by: 5)))
        est.timestamps = est.timestamps.map { $0.map { $0 + 0.003 } }
        let (r, e) = try Association.associate(reference: ref, estimate: est, maxDiff: 0.01, offset: 0,
                                               referenceName: "ref", estimateName: "est")
        #expect(r.count == 10 && e.count == 10)
        #expect(r.poses == est.poses)
        // With the offset compensating the shift the result is the same; with a large one nothing matches.
        let shifted = try Association.associate(reference: ref, estimate: est, maxDiff: 0.001, offset: -0.003,
                                                referenceName: "ref", estimateName: "est")
        #expect(shifted.reference.count == 10)
        #expect(throws: EvaluationError.noMatchingTimestamps(reference: "ref", estimate: "est", maxDiff: 0.01, offset: 0.05)) {
            try Association.associate(reference: ref, estimate: est, maxDiff: 0.01, offset: 0.05,
                                      referenceName: "ref", estimateName: "est")
        }
    }
}

@Suite struct PairSelectionTests {
    @Test func byIndexConsecutiveAndAllPairs() {
        #expect(PairSelection.byIndex(count: 7, delta: 3, allPairs: false).map { [$0.0, $0.1] } == [[0, 3], [3, 6]])
        #expect(PairSelection.byIndex(count: 5, delta: 2, allPairs: true).map { [$0.0, $0.1] } == [[0, 2], [1, 3], [2, 4]])
        #expect(PairSelection.byIndex(count: 3, delta: 5, allPairs: false).isEmpty)
    }

    @Test func byPathConsecutiveRestartsAtEachPairEnd() {
        let line = (0..<10).map { Vec3(Double($0), 0, 0) }   // 1 m steps
        let pairs = PairSelection.byPath(positions: line, delta: 2.5, tolerance: 0.25, allPairs: false)
        #expect(pairs.map { [$0.0, $0.1] } == [[0, 3], [3, 6], [6, 9]])
    }

    @Test func byPathAllPairsTakesTheNearestDistanceWithinTolerance() {
        // Steps 1, 1, 0, 1, 1, ... : a repeated position makes two candidates at the same distance.
        let xs: [Double] = [0, 1, 2, 2, 3, 4, 5]
        let pts = xs.map { Vec3($0, 0, 0) }
        let pairs = PairSelection.byPath(positions: pts, delta: 2, tolerance: 0.2, allPairs: true)
        // From 0: distance 2 at index 2 and 3 → the first (2). From 1: 3 at index 4 is 2 away.
        #expect(pairs.map { [$0.0, $0.1] } == [[0, 2], [1, 4], [2, 5], [3, 5], [4, 6]])
        let loose = PairSelection.byPath(positions: pts, delta: 1.5, tolerance: 0.1, allPairs: true)
        #expect(loose.isEmpty)   // every nearest distance is 0.5 away from 1.5
    }

    @Test func byAngleConsecutiveAndAllPairs() {
        let rotations = (0..<10).map { SO3.exp(Vec3(0, 0, Double($0) * .pi / 180)).matrix }   // 1° steps
        let deg = Double.pi / 180
        let consecutive = PairSelection.byAngle(rotations: rotations, delta: 2.5 * deg, tolerance: 0.25 * deg, allPairs: false)
        #expect(consecutive.map { [$0.0, $0.1] } == [[0, 3], [3, 6], [6, 9]])
        let all = PairSelection.byAngle(rotations: rotations, delta: 3 * deg, tolerance: 0.3 * deg, allPairs: true)
        #expect(all.map { [$0.0, $0.1] } == (0..<7).map { [$0, $0 + 3] })
        #expect(PairSelection.byAngle(rotations: rotations, delta: 2.5 * deg, tolerance: 0.25 * deg, allPairs: true).isEmpty)
    }
}
