-- The commission payouts of the generated plans (src/revdesk/engine/generate.py), written by
-- hand in plain DuckDB SQL: the floor the Ibis engine is measured against (bench/commissions.py).
--
-- Inputs (tables of the same names and columns as the engine's inputs): transactions, credits,
-- claims, payments, quotas, fx, payees, assignments. The plans are not read from files: their
-- rates, tiers, caps and windows are written below, as someone would hand-code them.
-- Output (the last statement): payee, period, currency, amount (DECIMAL(38, 2)), one row per
-- payee and month of 2026 with activity, by period then payee.
--
-- Every product is cast back to DECIMAL(38, 6) where the engine does it (half away from zero),
-- every line of a "line"-rounded plan is rounded to the cent, as the engine and the reference do.
--
-- What is known when: a claim approved in month a re-credits its transaction from the cut-off
-- at the end of month a on; payout month c is calculated as known at the end of c, and an
-- earlier month's change becomes part of c's payout (restatement). Instead of calculating the
-- whole year once per cut-off, each credited row carries the cut-offs it holds for, [vf, vt]
-- (0 = before any approval); rows are calculated once per *version* of their group (payee,
-- plan version, month; the year for year-to-date tiers), and a group only has more than one
-- version when a claim changes it.

-- plan versions of the generated plans, and the flat or product-line rates (× multiplier) of
-- their "commission" components (the rate a clawback takes back)
CREATE OR REPLACE TEMP TABLE plan_version AS
SELECT * FROM (VALUES
    ('field-flat@1', 'field-flat', DATE '2026-01-01', DATE '9999-12-31'),
    ('field-table@1', 'field-table', DATE '2026-01-01', DATE '2026-06-30'),
    ('field-table@2', 'field-table', DATE '2026-07-01', DATE '9999-12-31'),
    ('tier-retro@1', 'tier-retro', DATE '2026-01-01', DATE '9999-12-31'),
    ('tier-increment@1', 'tier-increment', DATE '2026-01-01', DATE '9999-12-31'),
    ('margin-draw@1', 'margin-draw', DATE '2026-01-01', DATE '9999-12-31'),
    ('paid-on-cash@1', 'paid-on-cash', DATE '2026-01-01', DATE '9999-12-31'),
    ('manager@1', 'manager', DATE '2026-01-01', DATE '9999-12-31')
) AS v(plan_key, plan, valid_from, valid_to);

CREATE OR REPLACE TEMP TABLE plan_rate AS
SELECT plan_key, line, CAST(rate AS DECIMAL(38, 6)) AS rate FROM (VALUES
    ('field-flat@1', NULL, 0.05),
    ('field-table@1', 'UPS', 0.05),
    ('field-table@1', 'Thermal', 0.03),
    ('field-table@1', 'PDU', 0.04),
    ('field-table@2', 'UPS', 0.06),
    ('field-table@2', 'Thermal', 0.035),
    ('field-table@2', 'PDU', 0.04),
    ('paid-on-cash@1', NULL, 0.06)
) AS r(plan_key, line, rate);

-- payee × plan version in force: the overlap of the assignment and the version
CREATE OR REPLACE TEMP TABLE assign AS
SELECT a.payee, v.plan_key,
       greatest(a.valid_from, v.valid_from) AS start_on,
       least(coalesce(a.valid_to, DATE '9999-12-31'), v.valid_to) AS end_on
FROM assignments a JOIN plan_version v ON v.plan = a.plan
WHERE greatest(a.valid_from, v.valid_from) <= least(coalesce(a.valid_to, DATE '9999-12-31'), v.valid_to);

-- transactions that can earn: eligible, and not reversing an ineligible original
CREATE OR REPLACE TEMP TABLE tx AS
SELECT t.id, t.date, month(t.date) AS m, t.type, t.payee, t.product_line, t.units, t.amount,
       t.cost, t.currency, t.original_id,
       CASE WHEN t.currency = 'USD' THEN CAST(1 AS DECIMAL(38, 6)) ELSE f.rate END AS fx
FROM transactions t
LEFT JOIN fx f ON f.period = strftime(t.date, '%Y-%m') AND f."from" = t.currency AND f."to" = 'USD'
WHERE coalesce(t.eligible, true)
  AND t.date <= DATE '2026-12-31'
  AND NOT EXISTS (
      SELECT 1 FROM transactions o WHERE o.id = t.original_id AND o.eligible = false
  );

-- credit: the seller (share 1) unless `credits` rows split it; a claim approved in month a
-- re-credits it by Policy 100 (specifying 25%, ordering 50%, installing 25%) from cut-off a on
CREATE OR REPLACE TEMP TABLE claim_credit AS
WITH approved AS (
    SELECT transaction_id, month(approved) AS a, specifying, ordering, installing
    FROM claims
    WHERE approved IS NOT NULL AND approved <= DATE '2026-12-31'
    QUALIFY row_number() OVER (
        PARTITION BY transaction_id ORDER BY approved DESC, claim_id DESC) = 1
)
SELECT transaction_id, payee, any_value(a) AS a, CAST(sum(share) AS DECIMAL(38, 6)) AS share
FROM (
    SELECT transaction_id, a, specifying AS payee, 0.25 AS share FROM approved
    UNION ALL SELECT transaction_id, a, ordering, 0.50 FROM approved
    UNION ALL SELECT transaction_id, a, installing, 0.25 FROM approved
)
GROUP BY transaction_id, payee;

CREATE OR REPLACE TEMP TABLE credited AS
WITH claimed AS (SELECT DISTINCT transaction_id, a FROM claim_credit),
direct AS (
    SELECT t.id AS transaction_id, coalesce(c.payee, t.payee) AS payee,
           coalesce(CAST(c.share AS DECIMAL(38, 6)), CAST(1 AS DECIMAL(38, 6))) AS share,
           0 AS vf, coalesce(k.a - 1, 12) AS vt
    FROM tx t
    LEFT JOIN credits c ON c.transaction_id = t.id
    LEFT JOIN claimed k ON k.transaction_id = t.id
),
shares AS (
    SELECT * FROM direct WHERE vf <= vt
    UNION ALL
    SELECT transaction_id, payee, share, a AS vf, 12 AS vt FROM claim_credit
)
SELECT s.payee, s.share, s.vf, s.vt, t.*
    EXCLUDE (payee),
    -- the basis of the line in the plan currency (USD), as the engine casts it
    CAST(CAST(t.amount * t.fx AS DECIMAL(38, 6)) * s.share AS DECIMAL(38, 6)) AS amt,
    CAST(CAST(CAST(t.amount - t.cost AS DECIMAL(38, 6)) * t.fx AS DECIMAL(38, 6)) * s.share
         AS DECIMAL(38, 6)) AS mrg,
    CAST(t.units * s.share AS DECIMAL(38, 6)) AS uni
FROM shares s JOIN tx t ON t.id = s.transaction_id;

-- every credited row with the plan version that pays on it: the payee's own plan, and the
-- manager's override plan (rows of the reports)
CREATE OR REPLACE TEMP TABLE planned AS
SELECT c.*, a.plan_key, true AS is_own
FROM credited c JOIN assign a ON a.payee = c.payee AND c.date BETWEEN a.start_on AND a.end_on
UNION ALL
SELECT c.* REPLACE (p.manager AS payee), a.plan_key, false AS is_own
FROM credited c
JOIN payees p ON p.id = c.payee AND p.manager IS NOT NULL
JOIN assign a ON a.payee = p.manager AND a.plan_key = 'manager@1'
             AND c.date BETWEEN a.start_on AND a.end_on;

-- versions of each group whose lines depend on each other (a cap, a tier, a bonus, a rounded
-- total): a new one wherever a row starts or stops holding. The lines of the other plans
-- (field-flat, paid-on-cash, the override) stand alone: each row is its own version.
CREATE OR REPLACE TEMP TABLE version AS
WITH grouped AS (
    SELECT payee, plan_key, CASE WHEN plan_key = 'tier-increment@1' THEN 0 ELSE m END AS g,
           vf, vt
    FROM planned
    WHERE plan_key IN ('field-table@1', 'field-table@2', 'tier-retro@1', 'tier-increment@1',
                       'margin-draw@1')
),
points AS (
    SELECT payee, plan_key, g, vf AS b FROM grouped
    UNION
    SELECT payee, plan_key, g, vt + 1 FROM grouped WHERE vt < 12
)
SELECT payee, plan_key, g, b,
       coalesce(lead(b) OVER (PARTITION BY payee, plan_key, g ORDER BY b), 13) AS nb
FROM points;

-- each row in every version of its group it holds for, kept only where some cut-off of the
-- version can see its month
CREATE OR REPLACE TEMP TABLE rows AS
SELECT p.*, v.b, v.nb
FROM planned p
JOIN version v
  ON v.payee = p.payee AND v.plan_key = p.plan_key
 AND v.g = CASE WHEN p.plan_key = 'tier-increment@1' THEN 0 ELSE p.m END
 AND v.b BETWEEN p.vf AND p.vt
WHERE v.nb - 1 >= p.m
UNION ALL
SELECT p.*, p.vf AS b, p.vt + 1 AS nb
FROM planned p
WHERE p.plan_key IN ('field-flat@1', 'paid-on-cash@1', 'manager@1') AND p.vt >= p.m;

-- the lines: (payee, payable month p, version b..nb-1, amount)
CREATE OR REPLACE TEMP TABLE lines AS
WITH
-- flat and product-line rates (field-flat, field-table, paid-on-cash), each line to the cent;
-- under a clawback section a credit memo is clawed back below instead
rated AS (
    SELECT r.payee, r.plan_key, r.m, r.b, r.nb, r.type, r.id,
           round(CAST(r.amt * pr.rate AS DECIMAL(38, 6)), 2) AS amount
    FROM rows r
    JOIN plan_rate pr ON pr.plan_key = r.plan_key AND (pr.line IS NULL OR pr.line = r.product_line)
    WHERE NOT (r.plan_key IN ('field-flat@1', 'field-table@1', 'field-table@2')
               AND r.type IN ('credit_memo', 'disconnect') AND r.original_id IS NOT NULL)
),
-- clawback: the memo at the rate of the plan version the payee had on the original's date,
-- if the original is inside the window (6 months field-flat, 3 field-table), else 0
clawed AS (
    SELECT r.payee, r.plan_key, r.m, r.b, r.nb,
           round(CAST(r.amt * CASE
               WHEN o.date >= r.date - CASE WHEN r.plan_key = 'field-flat@1'
                                            THEN INTERVAL 6 MONTH ELSE INTERVAL 3 MONTH END
                    AND pr.rate IS NOT NULL THEN pr.rate
               ELSE CAST(0 AS DECIMAL(38, 6)) END AS DECIMAL(38, 6)), 2) AS amount
    FROM rows r
    JOIN tx o ON o.id = r.original_id
    LEFT JOIN assign a ON a.payee = r.payee AND o.date BETWEEN a.start_on AND a.end_on
    LEFT JOIN plan_rate pr ON pr.plan_key = a.plan_key
                          AND (pr.line IS NULL OR pr.line = o.product_line)
    WHERE r.plan_key IN ('field-flat@1', 'field-table@1', 'field-table@2')
      AND r.type IN ('credit_memo', 'disconnect')
),
-- field-table: the component is capped at 1,500.00 per payee and month
table_capped AS (
    SELECT payee, m, b, nb, sum(amount) AS amount, count(*) AS n
    FROM (
        SELECT payee, plan_key, m, b, nb, amount FROM rated
        WHERE plan_key IN ('field-table@1', 'field-table@2')
        UNION ALL
        SELECT payee, plan_key, m, b, nb, amount FROM clawed
        WHERE plan_key IN ('field-table@1', 'field-table@2')
    )
    GROUP BY payee, plan_key, m, b, nb
),
-- paid-on-cash: an invoice's line is released pro rata to what is paid, in each payment's
-- month (the cumulative share paid, rounded to the cent, less what was released before)
paid AS (
    SELECT p.invoice_id, month(p.date) AS pm,
           CASE WHEN p.cum = p.whole THEN CAST(1 AS DECIMAL(38, 12))
                ELSE CAST(p.cum / p.whole AS DECIMAL(38, 12)) END AS f1,
           CASE WHEN CAST(p.cum - p.amount AS DECIMAL(38, 6)) = p.whole
                THEN CAST(1 AS DECIMAL(38, 12))
                ELSE CAST(CAST(p.cum - p.amount AS DECIMAL(38, 6)) / p.whole AS DECIMAL(38, 12))
           END AS f0
    FROM (
        SELECT p.invoice_id, p.date, p.amount, t.amount AS whole,
               sum(p.amount) OVER (PARTITION BY p.invoice_id ORDER BY p.date, p.amount
                                   ROWS UNBOUNDED PRECEDING) AS cum
        FROM payments p JOIN tx t ON t.id = p.invoice_id
        WHERE p.date <= DATE '2026-12-31'
    ) p
),
released AS (
    SELECT r.payee, p.pm AS m, r.b, r.nb,
           round(CAST(r.amount * p.f1 AS DECIMAL(38, 6)), 2)
           - round(CAST(r.amount * p.f0 AS DECIMAL(38, 6)), 2) AS amount
    FROM rated r JOIN paid p ON p.invoice_id = r.id
    WHERE r.plan_key = 'paid-on-cash@1' AND r.type NOT IN ('credit_memo', 'disconnect')
),
-- tier-retro: the month's attainment (retroactive) sets the rate of every line of the month
retro AS (
    SELECT r.*, q.amount AS quota,
           sum(r.amt) OVER (PARTITION BY r.payee, r.m, r.b) AS reached
    FROM rows r
    LEFT JOIN quotas q ON q.payee = r.payee AND q.period = strftime(r.date, '%Y-%m')
    WHERE r.plan_key = 'tier-retro@1'
),
retro_lines AS (
    SELECT payee, m, b, nb,
           round(CAST(amt * CASE
               WHEN reached <= CAST(1.00 * quota AS DECIMAL(38, 6)) THEN 0.04
               WHEN reached <= CAST(1.50 * quota AS DECIMAL(38, 6)) THEN 0.06
               ELSE 0.08 END AS DECIMAL(38, 6)), 2) AS amount
    FROM retro
    UNION ALL  -- quota-club: 250.00 once the month reaches 100% of quota
    SELECT payee, m, b, nb, CAST(250 AS DECIMAL(38, 6))
    FROM retro
    WHERE quota IS NOT NULL
    GROUP BY payee, m, b, nb, quota, reached
    HAVING reached >= CAST(1.00 * quota AS DECIMAL(38, 6))
    UNION ALL  -- SPIF: 2.50 per UPS unit
    SELECT payee, m, b, nb, round(CAST(uni * 2.50 AS DECIMAL(38, 6)), 2)
    FROM retro WHERE product_line = 'UPS'
    UNION ALL  -- SPIF: 50.00 per Thermal deal, taken back by a memo reversing all of it
    SELECT r.payee, r.m, r.b, r.nb,
           round(CAST(CASE WHEN r.type IN ('invoice', 'booking') THEN r.share ELSE -r.share END
                      * 50 AS DECIMAL(38, 6)), 2)
    FROM retro r LEFT JOIN tx o ON o.id = r.original_id
    WHERE r.product_line = 'Thermal'
      AND (r.type IN ('invoice', 'booking')
           OR (r.type IN ('credit_memo', 'disconnect') AND r.amount = -o.amount))
),
-- tier-increment: year-to-date attainment, each slice of the running basis at its own band
ytd_quota AS (
    SELECT payee, CAST(right(period, 2) AS INTEGER) AS m,
           sum(amount) OVER (PARTITION BY payee, left(period, 4) ORDER BY period) AS quota
    FROM quotas
),
increment AS (
    SELECT r.payee, r.m, r.b, r.nb, r.amt, q.quota,
           least(CAST(r.cum - r.amt AS DECIMAL(38, 6)), r.cum) AS lo,
           greatest(CAST(r.cum - r.amt AS DECIMAL(38, 6)), r.cum) AS hi
    FROM (
        SELECT *, CAST(sum(amt) OVER (PARTITION BY payee, b ORDER BY date, id
                                      ROWS UNBOUNDED PRECEDING) AS DECIMAL(38, 6)) AS cum
        FROM rows WHERE plan_key = 'tier-increment@1'
    ) r
    LEFT JOIN ytd_quota q ON q.payee = r.payee AND q.m = r.m
),
bands AS (
    SELECT * FROM (VALUES
        (NULL, 0.80, 0.03),
        (0.80, 1.20, 0.05),
        (1.20, NULL, 0.07)
    ) AS b(low, high, rate)
),
increment_lines AS (
    SELECT payee, m, b, nb,
           round(CAST(CASE WHEN amt < 0 THEN -overlap ELSE overlap END * rate
                      AS DECIMAL(38, 6)), 2) AS amount
    FROM (
        SELECT i.*, bands.rate,
               greatest(CAST(
                   CASE WHEN bands.high IS NULL THEN i.hi
                        ELSE least(i.hi, CAST(bands.high * i.quota AS DECIMAL(38, 6))) END
                   - CASE WHEN bands.low IS NULL THEN i.lo
                          ELSE greatest(i.lo, CAST(bands.low * i.quota AS DECIMAL(38, 6))) END
                   AS DECIMAL(38, 6)), 0) AS overlap
        FROM increment i CROSS JOIN bands
    )
    WHERE overlap <> 0
),
-- margin-draw: 8% × 1.25 of the margin, capped at 2,000.00 a month, rounded on the total
margin AS (
    SELECT payee, m, b, nb,
           sum(CAST(CAST(mrg * 0.08 AS DECIMAL(38, 6)) * 1.25 AS DECIMAL(38, 6))) AS total,
           count(*) AS n
    FROM rows WHERE plan_key = 'margin-draw@1'
    GROUP BY payee, m, b, nb
)
SELECT payee, m AS p, b, nb, sum(amount) AS amount, count(*) AS n
FROM (
    SELECT payee, m, b, nb, amount FROM rated
    WHERE plan_key <> 'paid-on-cash@1' OR type IN ('credit_memo', 'disconnect')
    UNION ALL SELECT payee, m, b, nb, amount FROM clawed
    UNION ALL SELECT payee, m, b, nb, amount FROM released
    UNION ALL SELECT payee, m, b, nb, amount FROM retro_lines
    UNION ALL SELECT payee, m, b, nb, amount FROM increment_lines
    UNION ALL  -- manager: 1% override on the amount credited to direct reports
    SELECT payee, m, b, nb, round(CAST(amt * 0.01 AS DECIMAL(38, 6)), 2)
    FROM rows WHERE plan_key = 'manager@1'
    UNION ALL
    SELECT payee, m, b, nb, 1500 - amount FROM table_capped WHERE amount > 1500
)
GROUP BY payee, m, b, nb
UNION ALL
SELECT payee, m, b, nb, round(CASE WHEN total > 2000 THEN 2000 ELSE total END, 2), n
FROM margin;

-- each month's total as known at each cut-off c (month p <= c)
CREATE OR REPLACE TEMP TABLE known AS
SELECT l.payee, l.p, c.c, sum(l.amount) AS amount, sum(l.n) AS n
FROM lines l JOIN range(1, 13) c(c) ON c.c BETWEEN greatest(l.b, l.p) AND l.nb - 1
GROUP BY l.payee, l.p, c.c;

-- balance: payout of month c = everything earned through c as known at c, less what was paid
-- through c-1 (restatement); a recoverable draw of 800.00 (margin-draw) tops a month up, and
-- the shortfall owed is repaid from later months above the draw
CREATE OR REPLACE TEMP TABLE payout AS
WITH months AS (
    SELECT a.payee, c.c,
           bool_or(a.plan_key = 'margin-draw@1'
                   AND a.start_on <= last_day(make_date(2026, c.c, 1))
                   AND a.end_on >= make_date(2026, c.c, 1)) AS drawn
    FROM assign a CROSS JOIN range(1, 13) c(c)
    GROUP BY a.payee, c.c
),
active AS (  -- a credited row on the payee's own plan in the month, as known at its end
    SELECT DISTINCT payee, m AS c FROM planned WHERE is_own AND vf <= m AND m <= vt
),
through AS (
    SELECT payee, c, sum(amount) AS through,
           sum(CASE WHEN p = c THEN amount END) AS own,
           sum(CASE WHEN p = c THEN n END) AS own_lines
    FROM known GROUP BY payee, c
),
nets AS (
    SELECT m.payee, m.c, m.drawn,
           coalesce(t.through, 0) AS through,
           coalesce(t.own, 0) AS own, coalesce(t.own_lines, 0) AS own_lines,
           coalesce(t.through, 0)
             - coalesce(lag(coalesce(t.through, 0)) OVER w, 0) AS net,
           x.payee IS NOT NULL AS is_active
    FROM months m
    LEFT JOIN through t ON t.payee = m.payee AND t.c = m.c
    LEFT JOIN active x ON x.payee = m.payee AND x.c = m.c
    WINDOW w AS (PARTITION BY m.payee ORDER BY m.c)
),
owed AS (  -- owed = S - min(0, min S so far), S the running sum of (draw - net)
    SELECT *,
           sum(CASE WHEN drawn THEN 800 - net ELSE 0 END) OVER w AS s,
           least(0, min(sum_s) OVER w) AS low
    FROM (SELECT *, sum(CASE WHEN drawn THEN 800 - net ELSE 0 END)
                        OVER (PARTITION BY payee ORDER BY c) AS sum_s FROM nets)
    WINDOW w AS (PARTITION BY payee ORDER BY c)
),
paid AS (
    SELECT *, s - low AS owed_now,
           coalesce(lag(s - low) OVER (PARTITION BY payee ORDER BY c), 0) AS owed_before
    FROM owed
)
SELECT payee, c, net + owed_now - owed_before AS amount, is_active, own_lines, net - own AS adjusted,
       drawn
FROM paid;

SELECT payee, '2026-' || lpad(CAST(c AS VARCHAR), 2, '0') AS period, 'USD' AS currency,
       CAST(amount AS DECIMAL(38, 2)) AS amount
FROM payout
WHERE is_active OR own_lines > 0 OR adjusted <> 0 OR drawn
ORDER BY period, payee;
