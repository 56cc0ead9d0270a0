-- Reports over Tracks. Each comment says which request answers it
-- (EXPLAIN QUERY PLAN shows the same).

-- Per device: fixes, average speed, first and last fix. (one Scan)
SELECT uuid, count(*) AS fixes, round(avg(speed), 2) AS avg_speed,
       min(timestamp) AS first_fix, max(timestamp) AS last_fix
FROM tracks GROUP BY uuid ORDER BY uuid;

-- The newest fixes of one device in December 2017. (one Query, newest first)
SELECT timestamp, latitude, longitude, speed
FROM tracks
WHERE uuid = 'test-uuid' AND timestamp BETWEEN '2017-12-01' AND '2017-12-31'
ORDER BY timestamp DESC LIMIT 10;

-- One fix by its key. (one GetItem)
SELECT model, platform, version, cordova, altitude
FROM tracks WHERE uuid = 'test-uuid' AND timestamp = '2017-12-20T16:10:38.997Z';

-- Fixes of 20 December, by prefix of the sort key. (one Query per device,
-- with begins_with on timestamp)
SELECT uuid, timestamp, speed FROM tracks
WHERE uuid IN ('test-uuid', 'pixel-7') AND timestamp LIKE '2017-12-20%'
ORDER BY uuid, timestamp;

-- Devices by model. (one Scan)
SELECT model, platform, count(DISTINCT uuid) AS devices, count(*) AS fixes
FROM tracks GROUP BY model, platform ORDER BY fixes DESC;

-- The whole item as the AWS CLI shows it (the hidden column item).
SELECT json_extract(item, '$.longitude.N') AS longitude_exact
FROM tracks WHERE uuid = 'test-uuid' AND timestamp = '2017-12-20T16:10:38.997Z';
