-- Snowflake set-up for spotify-elt: run once per account, top to bottom, in a worksheet
-- or with `snow sql -f warehouse/snowflake_setup.sql`. Every statement is idempotent
-- (IF NOT EXISTS, grants), so running it again is harmless.
--
-- What it creates (the names the pipeline's defaults use; see docs/snowflake.md):
--   database   SPOTIFY
--   schemas    RAW_SPOTIFY (dlt loads the lake here), RAW_SPOTIFY_STAGING (dlt's merge
--              staging), STAGING and INTERMEDIATE (dbt views), MARTS (dbt tables, Tableau)
--   warehouse  SPOTIFY_WH: XSMALL, suspends after 60 s idle, resumes on demand
--   roles      SPOTIFY_LOADER       dlt: owns and writes the raw schemas, nothing else
--              SPOTIFY_TRANSFORMER  dbt: reads the raw schema, owns staging/intermediate/marts
--              SPOTIFY_REPORTER     Tableau: reads MARTS only
--   users      SPOTIFY_LOADER, SPOTIFY_TRANSFORMER, SPOTIFY_TABLEAU: service users,
--              key-pair authentication only (TYPE = SERVICE cannot use a password)
--
-- Before running: replace the three '<… public key …>' placeholders with the body of
-- each user's public key (the lines between BEGIN/END PUBLIC KEY, joined). Make a key:
--   openssl genrsa 2048 | openssl pkcs8 -topk8 -v2 aes-256-cbc -inform PEM -out loader.p8
--   openssl rsa -in loader.p8 -pubout -out loader.pub
-- The private key (loader.p8) and its passphrase are secrets: see docs/snowflake.md.

-- ---------------------------------------------------------------------------------
-- Roles (USERADMIN creates roles and users; SYSADMIN inherits the three roles so
-- that administrators keep control of everything the pipeline creates)
-- ---------------------------------------------------------------------------------
USE ROLE USERADMIN;

CREATE ROLE IF NOT EXISTS SPOTIFY_LOADER
    COMMENT = 'spotify-elt: dlt loads the lake into SPOTIFY.RAW_SPOTIFY';
CREATE ROLE IF NOT EXISTS SPOTIFY_TRANSFORMER
    COMMENT = 'spotify-elt: dbt reads RAW_SPOTIFY and builds STAGING, INTERMEDIATE, MARTS';
CREATE ROLE IF NOT EXISTS SPOTIFY_REPORTER
    COMMENT = 'spotify-elt: Tableau and other readers of SPOTIFY.MARTS';

GRANT ROLE SPOTIFY_LOADER TO ROLE SYSADMIN;
GRANT ROLE SPOTIFY_TRANSFORMER TO ROLE SYSADMIN;
GRANT ROLE SPOTIFY_REPORTER TO ROLE SYSADMIN;

-- ---------------------------------------------------------------------------------
-- Warehouse, database and schemas
-- ---------------------------------------------------------------------------------
USE ROLE SYSADMIN;

-- XSMALL = 1 credit per hour while running, billed per second with a 60 s minimum each
-- time it resumes. The daily load and dbt build take a few minutes (docs/snowflake.md).
CREATE WAREHOUSE IF NOT EXISTS SPOTIFY_WH
    WAREHOUSE_SIZE = XSMALL
    AUTO_SUSPEND = 60
    AUTO_RESUME = TRUE
    INITIALLY_SUSPENDED = TRUE
    COMMENT = 'spotify-elt: dlt loads, dbt builds, Tableau queries';

CREATE DATABASE IF NOT EXISTS SPOTIFY COMMENT = 'spotify-elt: raw Spotify API data and marts';

CREATE SCHEMA IF NOT EXISTS SPOTIFY.RAW_SPOTIFY
    COMMENT = 'dlt: the lake loaded as is (API objects in VARIANT columns)';
CREATE SCHEMA IF NOT EXISTS SPOTIFY.RAW_SPOTIFY_STAGING
    COMMENT = 'dlt: staging tables of its merge loads';
CREATE SCHEMA IF NOT EXISTS SPOTIFY.STAGING COMMENT = 'dbt: staging views';
CREATE SCHEMA IF NOT EXISTS SPOTIFY.INTERMEDIATE COMMENT = 'dbt: intermediate views';
CREATE SCHEMA IF NOT EXISTS SPOTIFY.MARTS COMMENT = 'dbt: mart tables, read by Tableau';

-- Every role may run on the warehouse (USAGE lets a query resume it).
GRANT USAGE ON WAREHOUSE SPOTIFY_WH TO ROLE SPOTIFY_LOADER;
GRANT USAGE ON WAREHOUSE SPOTIFY_WH TO ROLE SPOTIFY_TRANSFORMER;
GRANT USAGE ON WAREHOUSE SPOTIFY_WH TO ROLE SPOTIFY_REPORTER;

GRANT USAGE ON DATABASE SPOTIFY TO ROLE SPOTIFY_LOADER;
GRANT USAGE ON DATABASE SPOTIFY TO ROLE SPOTIFY_TRANSFORMER;
GRANT USAGE ON DATABASE SPOTIFY TO ROLE SPOTIFY_REPORTER;

-- ---------------------------------------------------------------------------------
-- Loader (dlt): owns the raw schemas. dlt creates, alters and (on `--rebuild`) drops
-- its tables, PUTs files to their table stages and COPYs them in, and keeps its state
-- in _dlt_* tables there. It can read or write nothing else.
-- ---------------------------------------------------------------------------------
GRANT OWNERSHIP ON SCHEMA SPOTIFY.RAW_SPOTIFY TO ROLE SPOTIFY_LOADER COPY CURRENT GRANTS;
GRANT OWNERSHIP ON SCHEMA SPOTIFY.RAW_SPOTIFY_STAGING TO ROLE SPOTIFY_LOADER COPY CURRENT GRANTS;

-- ---------------------------------------------------------------------------------
-- Transformer (dbt): reads the raw tables, including those dlt creates later (future
-- grants), and owns the schemas it builds in. No write access to RAW_SPOTIFY.
-- ---------------------------------------------------------------------------------
GRANT USAGE ON SCHEMA SPOTIFY.RAW_SPOTIFY TO ROLE SPOTIFY_TRANSFORMER;
GRANT SELECT ON ALL TABLES IN SCHEMA SPOTIFY.RAW_SPOTIFY TO ROLE SPOTIFY_TRANSFORMER;
GRANT SELECT ON ALL VIEWS IN SCHEMA SPOTIFY.RAW_SPOTIFY TO ROLE SPOTIFY_TRANSFORMER;

USE ROLE SECURITYADMIN;  -- future grants in a schema need MANAGE GRANTS (or the schema owner)
GRANT SELECT ON FUTURE TABLES IN SCHEMA SPOTIFY.RAW_SPOTIFY TO ROLE SPOTIFY_TRANSFORMER;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA SPOTIFY.RAW_SPOTIFY TO ROLE SPOTIFY_TRANSFORMER;

USE ROLE SYSADMIN;
GRANT OWNERSHIP ON SCHEMA SPOTIFY.STAGING TO ROLE SPOTIFY_TRANSFORMER COPY CURRENT GRANTS;
GRANT OWNERSHIP ON SCHEMA SPOTIFY.INTERMEDIATE TO ROLE SPOTIFY_TRANSFORMER COPY CURRENT GRANTS;
GRANT OWNERSHIP ON SCHEMA SPOTIFY.MARTS TO ROLE SPOTIFY_TRANSFORMER COPY CURRENT GRANTS;

-- ---------------------------------------------------------------------------------
-- Reporter (Tableau): reads MARTS only. dbt replaces the mart tables on every build;
-- the future grants give each new table to the reporter again.
-- ---------------------------------------------------------------------------------
GRANT USAGE ON SCHEMA SPOTIFY.MARTS TO ROLE SPOTIFY_REPORTER;
GRANT SELECT ON ALL TABLES IN SCHEMA SPOTIFY.MARTS TO ROLE SPOTIFY_REPORTER;
GRANT SELECT ON ALL VIEWS IN SCHEMA SPOTIFY.MARTS TO ROLE SPOTIFY_REPORTER;

USE ROLE SECURITYADMIN;
GRANT SELECT ON FUTURE TABLES IN SCHEMA SPOTIFY.MARTS TO ROLE SPOTIFY_REPORTER;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA SPOTIFY.MARTS TO ROLE SPOTIFY_REPORTER;

-- ---------------------------------------------------------------------------------
-- Service users: key pair only. To rotate a key without downtime, set RSA_PUBLIC_KEY_2
-- to the new key, switch the secret, then unset the old one.
-- ---------------------------------------------------------------------------------
USE ROLE USERADMIN;

CREATE USER IF NOT EXISTS SPOTIFY_LOADER
    TYPE = SERVICE
    RSA_PUBLIC_KEY = '<loader public key, e.g. MIIBIjANBgkqh…>'
    DEFAULT_ROLE = SPOTIFY_LOADER
    DEFAULT_WAREHOUSE = SPOTIFY_WH
    DEFAULT_NAMESPACE = SPOTIFY.RAW_SPOTIFY
    COMMENT = 'spotify-elt: dlt (lake → RAW_SPOTIFY)';

CREATE USER IF NOT EXISTS SPOTIFY_TRANSFORMER
    TYPE = SERVICE
    RSA_PUBLIC_KEY = '<transformer public key>'
    DEFAULT_ROLE = SPOTIFY_TRANSFORMER
    DEFAULT_WAREHOUSE = SPOTIFY_WH
    DEFAULT_NAMESPACE = SPOTIFY.MARTS
    COMMENT = 'spotify-elt: dbt (RAW_SPOTIFY → STAGING, INTERMEDIATE, MARTS)';

-- Tableau Cloud/Server connects with this user's key pair where your Tableau version
-- supports it; otherwise give people the SPOTIFY_REPORTER role and use Snowflake OAuth.
CREATE USER IF NOT EXISTS SPOTIFY_TABLEAU
    TYPE = SERVICE
    RSA_PUBLIC_KEY = '<tableau public key>'
    DEFAULT_ROLE = SPOTIFY_REPORTER
    DEFAULT_WAREHOUSE = SPOTIFY_WH
    DEFAULT_NAMESPACE = SPOTIFY.MARTS
    COMMENT = 'spotify-elt: Tableau reads MARTS';

-- If the users existed before, (re)set their keys:
-- ALTER USER SPOTIFY_LOADER SET RSA_PUBLIC_KEY = '<loader public key>';
-- ALTER USER SPOTIFY_TRANSFORMER SET RSA_PUBLIC_KEY = '<transformer public key>';
-- ALTER USER SPOTIFY_TABLEAU SET RSA_PUBLIC_KEY = '<tableau public key>';

USE ROLE SECURITYADMIN;
GRANT ROLE SPOTIFY_LOADER TO USER SPOTIFY_LOADER;
GRANT ROLE SPOTIFY_TRANSFORMER TO USER SPOTIFY_TRANSFORMER;
GRANT ROLE SPOTIFY_REPORTER TO USER SPOTIFY_TABLEAU;

-- The run summary of `spotify-elt run` counts the mart rows over dlt's connection, which
-- these grants do not let read MARTS (the counts then show -1). To see them, let the
-- loader read (only read) the marts too:
-- GRANT ROLE SPOTIFY_REPORTER TO ROLE SPOTIFY_LOADER;

-- ---------------------------------------------------------------------------------
-- Optional: a monthly credit cap on the warehouse (needs ACCOUNTADMIN). 10 credits a
-- month is several times the estimate in docs/snowflake.md.
-- ---------------------------------------------------------------------------------
-- USE ROLE ACCOUNTADMIN;
-- CREATE RESOURCE MONITOR IF NOT EXISTS SPOTIFY_MONTHLY
--     WITH CREDIT_QUOTA = 10 FREQUENCY = MONTHLY START_TIMESTAMP = IMMEDIATELY
--     TRIGGERS ON 80 PERCENT DO NOTIFY
--              ON 100 PERCENT DO SUSPEND;
-- ALTER WAREHOUSE SPOTIFY_WH SET RESOURCE_MONITOR = SPOTIFY_MONTHLY;

-- ---------------------------------------------------------------------------------
-- Optional: the S3 lake as an external stage, to query the raw JSON lines in place
-- (ad hoc checks, backfills, an external table). The pipeline does not need it: dlt
-- reads the lake itself and loads through the tables' internal stages.
-- Replace <bucket>/<prefix> with the lake of SPOTIFY_ELT_LAKE_URL, and <aws-account-id>
-- and <role-name> with an IAM role Snowflake may assume (s3:GetObject, s3:ListBucket).
-- ---------------------------------------------------------------------------------
-- USE ROLE ACCOUNTADMIN;
-- CREATE STORAGE INTEGRATION IF NOT EXISTS SPOTIFY_LAKE_S3
--     TYPE = EXTERNAL_STAGE
--     STORAGE_PROVIDER = 'S3'
--     ENABLED = TRUE
--     STORAGE_AWS_ROLE_ARN = 'arn:aws:iam::<aws-account-id>:role/<role-name>'
--     STORAGE_ALLOWED_LOCATIONS = ('s3://<bucket>/<prefix>/');
-- -- STORAGE_AWS_IAM_USER_ARN and STORAGE_AWS_EXTERNAL_ID go into the role's trust policy:
-- DESC INTEGRATION SPOTIFY_LAKE_S3;
-- GRANT USAGE ON INTEGRATION SPOTIFY_LAKE_S3 TO ROLE SYSADMIN;
--
-- USE ROLE SYSADMIN;
-- -- The lake holds JSON lines (spotify/<table>/date=…/*.jsonl, one record per line:
-- -- keys, observed_at, payload) and imported API responses (imports/…, one document each).
-- CREATE FILE FORMAT IF NOT EXISTS SPOTIFY.RAW_SPOTIFY.LAKE_JSON
--     TYPE = JSON
--     COMPRESSION = AUTO
--     STRIP_OUTER_ARRAY = FALSE;
-- CREATE STAGE IF NOT EXISTS SPOTIFY.RAW_SPOTIFY.LAKE
--     URL = 's3://<bucket>/<prefix>/'
--     STORAGE_INTEGRATION = SPOTIFY_LAKE_S3
--     FILE_FORMAT = SPOTIFY.RAW_SPOTIFY.LAKE_JSON;
-- GRANT USAGE ON STAGE SPOTIFY.RAW_SPOTIFY.LAKE TO ROLE SPOTIFY_TRANSFORMER;
--
-- -- e.g. the entries of one day, straight from S3:
-- -- SELECT $1:playlist_id::varchar, $1:position::int, $1:payload:track:name::varchar
-- -- FROM @SPOTIFY.RAW_SPOTIFY.LAKE/spotify/playlist_entries/date=2023-11-01/;
