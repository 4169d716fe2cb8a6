-- A closed rights request is deleted 6 years after its closing date: the
-- finder reads closed requests in (closed_on, id) order.
CREATE INDEX rights_request_closed ON rights_request(closed_on, id) WHERE closed_on IS NOT NULL AND status <> 'open';
