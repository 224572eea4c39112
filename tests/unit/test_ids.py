import re
import time

from gateway.domain.ids import OrderIds


def test_an_id_is_o_and_32_hex_digits() -> None:
    assert re.fullmatch(r"o-[0-9a-f]{32}", OrderIds().next())


def test_ids_are_unique_within_a_millisecond_and_across_generators() -> None:
    first, second = OrderIds(), OrderIds()
    made = [ids.next() for _ in range(10_000) for ids in (first, second)]
    assert len(set(made)) == len(made)
    random_parts = {made_id[14:] for made_id in made}  # the same millisecond must not repeat them
    assert len(random_parts) == len(made)


def test_ids_sort_by_the_millisecond_they_were_made_in() -> None:
    ids = OrderIds()
    earlier = ids.next()
    time.sleep(0.002)
    later = ids.next()
    assert earlier < later
    assert int(later[2:14], 16) - int(earlier[2:14], 16) >= 2
    assert abs(int(later[2:14], 16) - time.time_ns() // 1_000_000) < 1_000
