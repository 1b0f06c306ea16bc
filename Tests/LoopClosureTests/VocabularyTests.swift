import Foundation
import Frontend
import Geometry
import LoopClosure
import Testing
import TestSupport

/// Random descriptors around `centres` (each bit flipped with probability `flip`).
private func clusters(_ centres: [ORBDescriptor], perCentre: Int, flip: Double, rng: inout SplitMix64) -> [ORBDescriptor] {
    centres.flatMap { c in (0..<perCentre).map { _ in perturbed(c, flip: flip, rng: &rng) } }
}

private func perturbed(_ c: ORBDescriptor, flip: Double, rng: inout SplitMix64) -> ORBDescriptor {
    var w = [c.w0, c.w1, c.w2, c.w3]
    for b in 0..<256 where Double(rng.next() >> 11) / 9007199254740992 < flip { w[b >> 6] ^= 1 << UInt64(b & 63) }
    return ORBDescriptor(w0: w[0], w1: w[1], w2: w[2], w3: w[3])
}

private func randomDescriptor(_ rng: inout SplitMix64) -> ORBDescriptor {
    ORBDescriptor(w0: rng.next(), w1: rng.next(), w2: rng.next(), w3: rng.next())
}

@Suite struct VocabularyTests {
    @Test func trainingFindsTheClustersAndIsDeterministic() throws {
        var rng = SplitMix64(state: 7)
        let centres = (0..<8).map { _ in randomDescriptor(&rng) }
        let data = clusters(centres, perCentre: 60, flip: 0.04, rng: &rng)
        let v = try Vocabulary(training: data, branching: 8, depth: 1)
        #expect(v.wordCount == 8)
        // Every member of a cluster gets its cluster's word, and clusters get distinct words.
        var words: [Set<Int>] = []
        for k in 0..<8 { words.append(Set(data[(k * 60)..<(k * 60 + 60)].map(v.word))) }
        #expect(words.allSatisfy { $0.count == 1 })
        #expect(Set(words.compactMap(\.first)).count == 8)
        let again = try Vocabulary(training: data, branching: 8, depth: 1)
        #expect(data.map(v.word) == data.map(again.word))
    }

    @Test func nearDescriptorsShareWordsMoreOftenThanRandomOnes() throws {
        var rng = SplitMix64(state: 11)
        let data = (0..<4000).map { _ in randomDescriptor(&rng) }
        let v = try Vocabulary(training: data, branching: 10, depth: 2)
        #expect(v.wordCount > 50 && v.wordCount <= 100)
        var near = 0, random = 0
        for d in data.prefix(1000) {
            if v.word(d) == v.word(perturbed(d, flip: 0.02, rng: &rng)) { near += 1 }
            if v.word(d) == v.word(randomDescriptor(&rng)) { random += 1 }
        }
        #expect(near > 5 * random, "near \(near), random \(random)")
    }

    @Test func fileRoundTripAndErrors() throws {
        var rng = SplitMix64(state: 3)
        let data = (0..<500).map { _ in randomDescriptor(&rng) }
        let v = try Vocabulary(training: data, branching: 6, depth: 3)
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let url = dir.url.appendingPathComponent("test.voc")
        try v.write(to: url)
        let back = try Vocabulary(contentsOf: url)
        #expect(back.wordCount == v.wordCount && back.branching == 6 && back.depth == 3)
        #expect(data.map(v.word) == data.map(back.word))
        // Truncated and foreign files name the file.
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 7).write(to: url)
        #expect { try Vocabulary(contentsOf: url) } throws: { "\($0)".contains(url.path) }
        try Data("not a vocabulary at all".utf8).write(to: url)
        #expect { try Vocabulary(contentsOf: url) } throws: { "\($0)".contains("PXVOCAB1") }
        #expect(throws: VocabularyError.self) { try Vocabulary(contentsOf: dir.url.appendingPathComponent("missing.voc")) }
        #expect(throws: VocabularyError.self) { try Vocabulary(training: Array(data.prefix(3)), branching: 10, depth: 2) }
    }

    @Test func placeIndexRanksTheSamePlaceFirst() throws {
        var rng = SplitMix64(state: 5)
        let places = (0..<30).map { _ in (0..<300).map { _ in randomDescriptor(&rng) } }
        for mapping in [try Vocabulary(training: places.flatMap { $0 }, branching: 10, depth: 3) as any WordMapping, HashedWords()] {
            var index = PlaceIndex(mapping: mapping)
            for (i, p) in places.enumerated() { index.insert(frame: i, bag: index.bag(p)) }
            for (i, p) in places.enumerated() where i % 5 == 0 {
                // The same place seen again: most descriptors a few bits off, a third replaced.
                let seen: [ORBDescriptor?] = p.enumerated().map { j, d in j % 3 == 0 ? randomDescriptor(&rng) : perturbed(d, flip: 0.015, rng: &rng) }
                let best = index.query(index.bag(seen), before: 1000, limit: 3)
                #expect(best.first?.frame == i, "\(type(of: mapping)): place \(i) ranked \(best)")
                #expect(index.query(index.bag(seen), before: i - 1).allSatisfy { $0.frame < i })
            }
        }
    }
}
