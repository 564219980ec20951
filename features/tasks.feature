Feature: Reminder tasks, both ways with Salesforce
  With task sync on (off by default), reminder tasks sync both ways between SIA and
  Salesforce Tasks, with a fixed field mapping, and a first sync that imports only recent
  Salesforce tasks.

  Background:
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync

  @T-TWO-WAY @S-SETTINGS
  Scenario: Task sync is off by default
    Then the setting "task_sync" is off
    When a seller creates the reminder task "Call back" for "carla@acme.example"
    And SIA runs the task sync
    Then Salesforce has no Task on the contact "carla@acme.example"

  @T-TWO-WAY
  Scenario: Create, edit, complete and delete in SIA reach Salesforce
    Given the setting "task_sync" is on
    When a seller creates the reminder task "Call back" for "carla@acme.example"
    Then Salesforce has a Task "Call back" on the contact "carla@acme.example" with status "Not Started"
    When the seller renames the task "Call back" to "Call back on Monday"
    Then Salesforce has a Task "Call back on Monday" on the contact "carla@acme.example" with status "Not Started"
    When the seller completes the task "Call back on Monday"
    Then Salesforce has a Task "Call back on Monday" on the contact "carla@acme.example" with status "Completed"
    When the seller deletes the task "Call back on Monday"
    Then Salesforce has no Task on the contact "carla@acme.example"

  @T-TWO-WAY
  Scenario: Create, edit, complete and delete in Salesforce reach SIA
    Given the setting "task_sync" is on
    And SIA runs the task sync
    When in Salesforce a Task "Send the contract" is created on the contact "carla@acme.example"
    And SIA runs the task sync
    Then SIA has the reminder task "Send the contract" for "carla@acme.example" with status "Open"
    When in Salesforce the Task "Send the contract" gets the description "Two copies"
    And SIA runs the task sync
    Then SIA's reminder task "Send the contract" has the details "Two copies"
    When in Salesforce the Task "Send the contract" gets the status "Completed"
    And SIA runs the task sync
    Then SIA's reminder task "Send the contract" has the status "Complete"
    When in Salesforce the Task "Send the contract" is deleted
    And SIA runs the task sync
    Then SIA has no reminder tasks

  @T-MAPPING
  Scenario: Fields map as the rule says, and only those values sync
    Given the setting "task_sync" is on
    When a seller creates the reminder task "Prepare the demo" for "carla@acme.example" due "2027-01-15" with priority "High" and details "Bring the slides"
    Then the Salesforce Task "Prepare the demo" has:
      | field        | value            |
      | Subject      | Prepare the demo |
      | ActivityDate | 2027-01-15       |
      | Priority     | High             |
      | Description  | Bring the slides |
      | Status       | Not Started      |

  @T-MAPPING
  Scenario Outline: Salesforce values outside the mapping do not sync back
    Given the setting "task_sync" is on
    And a seller creates the reminder task "Prepare the demo" for "carla@acme.example" due "2027-01-15" with priority "High" and details "Bring the slides"
    And SIA runs the task sync
    When in Salesforce the Task "Prepare the demo" gets the <field> "<value>"
    And SIA runs the task sync
    Then SIA's reminder task "Prepare the demo" has the <sia field> "<sia value>"

    Examples:
      | field    | value       | sia field | sia value        |
      | status   | In Progress | status    | Open             |
      | priority | Low         | priority  | High             |
      | subject  | New subject | name      | Prepare the demo |
      | due date | 2027-02-01  | due date  | 2027-02-01       |

  @T-FIRST-SYNC
  Scenario: Switching on imports only Salesforce tasks of the last 24 hours
    Given in Salesforce a Task "Old follow-up" was created on the contact "carla@acme.example" 2 days ago
    And in Salesforce a Task "Fresh follow-up" was created on the contact "carla@acme.example" 1 hour ago
    When the setting "task_sync" is switched on
    And SIA runs the task sync
    Then SIA has the reminder task "Fresh follow-up" for "carla@acme.example" with status "Open"
    And SIA has no reminder task "Old follow-up"

  @T-FIRST-SYNC
  Scenario: Switching on does not push tasks SIA already had
    Given the setting "task_sync" is off
    And a seller creates the reminder task "Made while off" for "carla@acme.example"
    When the setting "task_sync" is switched on
    And SIA runs the task sync
    And a seller creates the reminder task "Made while on" for "carla@acme.example"
    Then Salesforce has a Task "Made while on" on the contact "carla@acme.example" with status "Not Started"
    And Salesforce has no Task "Made while off"

  @T-FIRST-SYNC
  Scenario: Switching on applies Salesforce deletions of the last 15 days
    Given the setting "task_sync" is on
    And a seller creates the reminder task "Recent deletion" for "carla@acme.example"
    And a seller creates the reminder task "Old deletion" for "carla@acme.example"
    And the setting "task_sync" is switched off
    When in Salesforce the Task "Old deletion" is deleted
    And 20 days pass
    And in Salesforce the Task "Recent deletion" is deleted
    And 5 days pass
    And the setting "task_sync" is switched on
    And SIA runs the task sync
    Then SIA has no reminder task "Recent deletion"
    And SIA has the reminder task "Old deletion" for "carla@acme.example" with status "Open"
