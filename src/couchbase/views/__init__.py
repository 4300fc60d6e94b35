"""Views: querying map/reduce indexes (:mod:`.iterator`, :mod:`.params`) and the
design document API every bucket class has (:mod:`.api`)."""
