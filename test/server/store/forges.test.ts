// Store functions of the forge gateway on both dialects: a delivery is
// recorded once among racing inserts; a ref change is claimed by exactly one
// compare-and-set; a lease has one holder until it expires.
import test from "ava";
import { acquireLease, advanceRef, forgetDelivery, lastSeenSha, recordDelivery, releaseLease } from "../../../server/store/forges.js";
import { insertProject } from "../../../server/store/projects.js";
import { dialects, openTestStore } from "../../support/db.js";

for (const dialect of dialects) {
  test(`${dialect}: deliveries, ref compare-and-set and leases`, async (t) => {
    const store = await openTestStore(t, dialect);
    const project = await insertProject(store.db, "p", "triggers: []", 1);

    const racing = await Promise.all(Array.from({ length: 5 }, () => recordDelivery(store.db, "github:abc", project.id, 1)));
    t.is(racing.filter((x) => x).length, 1, "one of five racing deliveries wins");
    await forgetDelivery(store.db, "github:abc");
    t.true(await recordDelivery(store.db, "github:abc", project.id, 2), "a forgotten delivery can be handled again");

    const ref = { projectId: project.id, refKey: "k".repeat(64), triggerName: "poll", url: "https://example.com/r.git", ref: "refs/heads/master" };
    t.is(await lastSeenSha(store.db, ref), undefined);
    const first = await Promise.all([advanceRef(store.db, ref, undefined, "a1", 1), advanceRef(store.db, ref, undefined, "a1", 1)]);
    t.deepEqual(first.sort(), [false, true]);
    const moves = await Promise.all([advanceRef(store.db, ref, "a1", "b2", 2), advanceRef(store.db, ref, "a1", "b2", 2), advanceRef(store.db, ref, "a1", "b2", 2)]);
    t.is(moves.filter((x) => x).length, 1, "exactly one claims the change");
    t.is(await lastSeenSha(store.db, ref), "b2");
    t.false(await advanceRef(store.db, ref, "a1", "c3", 3), "a stale compare fails");

    t.true(await acquireLease(store.db, "git-poller", "one", 1000, 100));
    t.false(await acquireLease(store.db, "git-poller", "two", 1050, 100), "held by one");
    t.true(await acquireLease(store.db, "git-poller", "one", 1050, 100), "the holder renews");
    t.false(await acquireLease(store.db, "git-poller", "two", 1149, 100));
    t.true(await acquireLease(store.db, "git-poller", "two", 1151, 100), "expired: taken over");
    t.false(await acquireLease(store.db, "git-poller", "one", 1160, 100));
    await releaseLease(store.db, "git-poller", "one");
    t.false(await acquireLease(store.db, "git-poller", "one", 1170, 100), "releasing someone else's lease does nothing");
    await releaseLease(store.db, "git-poller", "two");
    t.true(await acquireLease(store.db, "git-poller", "one", 1180, 100), "released: free at once");
  });
}
