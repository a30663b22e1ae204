// The data paths' per-SA values by tag: tags of removed SAs are reused, so the table stays as large as the
// most SAs installed at once however many are installed and removed over time.
import Testing
@testable import SynapticNode

@Suite struct TagTableTests {
    @Test func valuesByTag() {
        var table = TagTable<String>()
        let a = table.insert("a")
        let b = table.insert("b")
        #expect(a != b && table[a] == "a" && table[b] == "b")
        table[a] = "A"
        #expect(table[a] == "A" && table.count == 2)
    }

    /// A value that needs its tag (an SA installed under it) is built for the tag it gets; if building it
    /// fails, the tag stays free.
    @Test func insertBuildsTheValueForItsTag() {
        struct Refused: Error {}
        var table = TagTable<Int>()
        let first = table.insert { $0 * 10 + 1 }
        #expect(throws: Refused.self) { _ = try table.insert { (_) throws(Refused) -> Int in throw Refused() } }
        let second = table.insert { $0 * 10 + 1 }
        #expect(table[first] == first * 10 + 1 && table[second] == second * 10 + 1)
        #expect(second == first + 1 && table.count == 2 && table.capacity == 2)
        table.remove(first)
        #expect(table.insert { $0 + 100 } == first && table[first] == first + 100)
    }

    /// A rekey every so often for days: install the new SA, remove the old one.
    @Test func installAndRemoveForeverStaysBounded() {
        var table = TagTable<Bool>()
        var current = [table.insert(false), table.insert(false)]   // two peers
        for round in 0..<10_000 {
            let peer = round % 2
            let next = table.insert(false)
            table.remove(current[peer])
            current[peer] = next
            table[next] = true
        }
        #expect(table.count == 2)
        #expect(table.capacity == 3)
        #expect(current.allSatisfy { table[$0] })
        // Removing twice, or a tag never handed out, changes nothing.
        table.remove(current[0])
        table.remove(current[0])
        table.remove(99)
        #expect(table.count == 1 && table.capacity == 3)
        let reused = table.insert(false)
        let (last, new) = (table.insert(false), table.insert(false))
        #expect(reused == current[0] && last != new)
        #expect(table.capacity == 4)
    }
}
