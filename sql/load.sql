-- The workshop's sample item, from the same file `aws dynamodb put-item
-- --item file://sampleItem.json` takes, then a few more fixes in plain SQL.
INSERT INTO tracks(item) VALUES (readfile('sql/sampleItem.json'));

INSERT INTO tracks(uuid, timestamp, latitude, longitude, accuracy, speed, model, platform)
VALUES
  ('test-uuid', '2017-12-20T16:11:08.411Z', 47.6351249813432, -122.14199341052418, 5, 24.1,  'iPhone8,4', 'iOS'),
  ('test-uuid', '2017-12-20T16:11:38.220Z', 47.6353102331982, -122.14171086430073, 5, 22.85, 'iPhone8,4', 'iOS'),
  ('test-uuid', '2017-12-21T08:02:11.004Z', 47.6206,          -122.3493,           10, 0,    'iPhone8,4', 'iOS'),
  ('pixel-7',   '2017-12-19T07:45:00.000Z', 47.6097,          -122.3331,           8,  13.4, 'Pixel 3',   'Android'),
  ('pixel-7',   '2017-12-19T07:46:00.000Z', 47.6101,          -122.3322,           8,  15.9, 'Pixel 3',   'Android'),
  ('pixel-7',   '2017-12-22T18:30:00.000Z', 47.6205,          -122.3493,           65, NULL, 'Pixel 3',   'Android');
