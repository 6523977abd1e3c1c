-- The stack store as zenml-core 0.1 (the release before migrations) left it: sqlite3 .dump, config folder as {CONFIG}.
BEGIN TRANSACTION;
CREATE TABLE component_states (
	component_id VARCHAR(36) NOT NULL, 
	provisioned BOOLEAN NOT NULL, 
	running BOOLEAN NOT NULL, 
	updated DATETIME NOT NULL, 
	PRIMARY KEY (component_id), 
	FOREIGN KEY(component_id) REFERENCES components (id) ON DELETE CASCADE
);
CREATE TABLE components (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	type VARCHAR(64) NOT NULL, 
	flavor VARCHAR(255) NOT NULL, 
	config TEXT NOT NULL, 
	secret_fields TEXT NOT NULL, 
	created DATETIME NOT NULL, 
	updated DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_component_type_name UNIQUE (type, name)
);
INSERT INTO "components" VALUES('1bf8e129-f50a-43a1-a4a7-e7923fd469e3','default','orchestrator','local','{}','[]','2026-11-30 11:15:54.000000','2026-11-30 11:15:54.000000');
INSERT INTO "components" VALUES('4b81fbd4-f63b-40c8-8068-e23b088d0308','default','artifact_store','local','{"path": "{CONFIG}/local_stores/236d3f84-b522-4967-9cc6-a31cc700820c"}','[]','2026-11-30 11:15:54.000000','2026-11-30 11:15:54.000000');
INSERT INTO "components" VALUES('d4108519-d3c8-4db8-a4c8-2f1af472a6aa','default','metadata_store','sqlite','{"uri": "{CONFIG}/local_stores/315e1ad0-45b6-41f8-b801-9b0d2e7511b5/metadata.db"}','[]','2026-11-30 11:15:54.000000','2026-11-30 11:15:54.000000');
INSERT INTO "components" VALUES('544b68af-15d8-4198-808f-0be3fdd3f3d5','arts','artifact_store','local','{"path": "{CONFIG}/arts"}','[]','2026-11-30 11:15:54.000000','2026-11-30 11:15:54.000000');
CREATE TABLE repositories (
	path VARCHAR(4096) NOT NULL, 
	stack_id VARCHAR(36), 
	PRIMARY KEY (path), 
	FOREIGN KEY(stack_id) REFERENCES stacks (id) ON DELETE SET NULL
);
CREATE TABLE stack_components (
	stack_id VARCHAR(36) NOT NULL, 
	type VARCHAR(64) NOT NULL, 
	component_id VARCHAR(36) NOT NULL, 
	PRIMARY KEY (stack_id, type), 
	FOREIGN KEY(stack_id) REFERENCES stacks (id) ON DELETE CASCADE, 
	FOREIGN KEY(component_id) REFERENCES components (id)
);
INSERT INTO "stack_components" VALUES('b11f2922-5c4f-49ae-a6ca-de6a6b3815eb','orchestrator','1bf8e129-f50a-43a1-a4a7-e7923fd469e3');
INSERT INTO "stack_components" VALUES('b11f2922-5c4f-49ae-a6ca-de6a6b3815eb','artifact_store','4b81fbd4-f63b-40c8-8068-e23b088d0308');
INSERT INTO "stack_components" VALUES('b11f2922-5c4f-49ae-a6ca-de6a6b3815eb','metadata_store','d4108519-d3c8-4db8-a4c8-2f1af472a6aa');
INSERT INTO "stack_components" VALUES('356ce6a4-0fd6-4ecb-8092-1d395c383753','orchestrator','1bf8e129-f50a-43a1-a4a7-e7923fd469e3');
INSERT INTO "stack_components" VALUES('356ce6a4-0fd6-4ecb-8092-1d395c383753','artifact_store','544b68af-15d8-4198-808f-0be3fdd3f3d5');
INSERT INTO "stack_components" VALUES('356ce6a4-0fd6-4ecb-8092-1d395c383753','metadata_store','d4108519-d3c8-4db8-a4c8-2f1af472a6aa');
CREATE TABLE stacks (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	created DATETIME NOT NULL, 
	updated DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
INSERT INTO "stacks" VALUES('b11f2922-5c4f-49ae-a6ca-de6a6b3815eb','default','2026-11-30 11:15:54.000000','2026-11-30 11:15:54.000000');
INSERT INTO "stacks" VALUES('356ce6a4-0fd6-4ecb-8092-1d395c383753','second','2026-11-30 11:15:54.000000','2026-11-30 11:15:54.000000');
CREATE TABLE store_couplings (
	artifact_store_id VARCHAR(36) NOT NULL, 
	metadata_store_id VARCHAR(36) NOT NULL, 
	PRIMARY KEY (artifact_store_id), 
	FOREIGN KEY(artifact_store_id) REFERENCES components (id) ON DELETE CASCADE, 
	UNIQUE (metadata_store_id), 
	FOREIGN KEY(metadata_store_id) REFERENCES components (id) ON DELETE CASCADE
);
INSERT INTO "store_couplings" VALUES('544b68af-15d8-4198-808f-0be3fdd3f3d5','d4108519-d3c8-4db8-a4c8-2f1af472a6aa');
CREATE TABLE zenml_meta (
	"key" VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO "zenml_meta" VALUES('schema_version','1');
INSERT INTO "zenml_meta" VALUES('active_stack_id','b11f2922-5c4f-49ae-a6ca-de6a6b3815eb');
COMMIT;
