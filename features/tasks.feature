Feature: Reminder tasks, both ways with Salesforce
  With task sync on (off by default), reminder tasks sync both ways between SIA and
  Salesforce Tasks, with a fixed field mapping, and a first sync that imports only recent
  Salesforce tasks. Carla is a contact, Lena a lead.

  Background:
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync

  @T-TWO-WAY @S-SETTINGS
  Scenario: Task sync is off by default: nothing goes either way
    Then the setting "task_sync" is off
    When a seller creates the reminder task "Call back" for "carla@acme.example"
    And in Salesforce a Task "Made in Salesforce" is created on the lead "lena@leadco.example"
    And SIA runs the task sync
    And SIA runs every periodic sync
    Then Salesforce has no Task on the contact "carla@acme.example"
    And SIA has exactly these reminder tasks: "Call back"

  @T-TWO-WAY
  Scenario Outline: Create, edit, complete and delete in SIA reach Salesforce, for contacts and leads
    Given the setting "task_sync" is on
    When a seller creates the reminder task "Call back" for "<person>"
    Then Salesforce has a Task "Call back" on the <who> "<person>" with status "Not Started"
    When the seller renames the task "Call back" to "Call back on Monday"
    Then Salesforce has a Task "Call back on Monday" on the <who> "<person>" with status "Not Started"
    When the seller changes the details of the task "Call back on Monday" to "Ask about the renewal"
    And the seller completes the task "Call back on Monday"
    Then Salesforce has a Task "Call back on Monday" on the <who> "<person>" with status "Completed"
    And the Salesforce Task "Call back on Monday" has:
      | field       | value                 |
      | Description | Ask about the renewal |
    When the seller deletes the task "Call back on Monday"
    Then Salesforce has no Task on the <who> "<person>"

    Examples:
      | who     | person              |
      | contact | carla@acme.example  |
      | lead    | lena@leadco.example |

  @T-TWO-WAY
  Scenario Outline: Create, edit, complete and delete in Salesforce reach SIA, for contacts and leads
    Given the setting "task_sync" is on
    And SIA runs the task sync
    When in Salesforce a Task "Send the contract" is created on the <who> "<person>"
    And <sync>
    Then SIA has the reminder task "Send the contract" for "<person>" with status "Open"
    When in Salesforce the Task "Send the contract" gets the description "Two copies"
    And <sync>
    Then SIA's reminder task "Send the contract" has the details "Two copies"
    When in Salesforce the Task "Send the contract" gets the status "Completed"
    And <sync>
    Then SIA's reminder task "Send the contract" has the status "Complete"
    When in Salesforce the Task "Send the contract" is deleted
    And <sync>
    Then SIA has no reminder tasks

    Examples:
      | who     | person              | sync                         |
      | contact | carla@acme.example  | SIA runs the task sync       |
      | lead    | lena@leadco.example | SIA runs the task sync       |
      | lead    | sam@syncco.example  | SIA runs every periodic sync |

  @T-TWO-WAY
  Scenario: A deletion on the other side removes a task wherever it was made
    Given the setting "task_sync" is on
    And a seller creates the reminder task "Made in SIA" for "carla@acme.example"
    And in Salesforce a Task "Made in Salesforce" is created on the lead "lena@leadco.example"
    And SIA runs the task sync
    When in Salesforce the Task "Made in SIA" is deleted
    And the seller deletes the task "Made in Salesforce"
    And SIA runs the task sync
    Then SIA has no reminder tasks
    And Salesforce has no Task "Made in Salesforce"

  @T-TWO-WAY
  Scenario: A Salesforce task made days after the last pass still reaches SIA
    Given the setting "task_sync" is on
    And SIA runs the task sync
    When 3 days pass
    And in Salesforce a Task "Late follow-up" is created on the contact "carla@acme.example"
    And 2 days pass
    And SIA runs the task sync
    Then SIA has the reminder task "Late follow-up" for "carla@acme.example" with status "Open"

  @T-TWO-WAY @S-SETTINGS
  Scenario: Switched off, task sync stops both ways; switched back on, tasks made since go out
    Given the setting "task_sync" is on
    And SIA runs the task sync
    When the setting "task_sync" is switched off
    And a seller creates the reminder task "Made while off" for "carla@acme.example"
    And in Salesforce a Task "Made in Salesforce while off" is created on the contact "carla@acme.example"
    And SIA runs the task sync
    Then Salesforce has no Task "Made while off"
    And SIA has no reminder task "Made in Salesforce while off"
    When the setting "task_sync" is switched on
    And a seller creates the reminder task "Made when back on" for "carla@acme.example"
    Then Salesforce has a Task "Made when back on" on the contact "carla@acme.example" with status "Not Started"

  @T-MAPPING
  Scenario: Fields map as the rule says when a task is created
    Given the setting "task_sync" is on
    When a seller creates the reminder task "Prepare the demo" for "carla@acme.example" due "2027-01-15" with priority "High" and details "Bring the slides"
    And a seller creates the reminder task "Plain task" for "lena@leadco.example" due "" with priority "Normal" and details ""
    Then the Salesforce Task "Prepare the demo" has:
      | field        | value            |
      | Subject      | Prepare the demo |
      | ActivityDate | 2027-01-15       |
      | Priority     | High             |
      | Description  | Bring the slides |
      | Status       | Not Started      |
    And the Salesforce Task "Plain task" has:
      | field        | value       |
      | Priority     | Normal      |
      | Status       | Not Started |
      | ActivityDate |             |

  @T-MAPPING
  Scenario Outline: An edit in SIA reaches Salesforce's field as the mapping says
    Given the setting "task_sync" is on
    And a seller creates the reminder task "Prepare the demo" for "carla@acme.example" due "2027-01-15" with priority "Normal" and details "Bring the slides"
    When the seller changes the <field> of the task "Prepare the demo" to "<value>"
    Then the Salesforce Task "Prepare the demo" has:
      | field        | value        |
      | <sf field>   | <sf value>   |

    Examples:
      | field    | value              | sf field     | sf value           |
      | details  | [1000 characters]  | Description  | [1000 characters]  |
      | due date | 2027-12-31         | ActivityDate | 2027-12-31         |
      | priority | High               | Priority     | High               |
      | status   | Complete           | Status       | Completed          |

  @T-MAPPING
  Scenario Outline: Salesforce's values reach SIA as the mapping says, and no others
    Given the setting "task_sync" is on
    And a seller creates the reminder task "Prepare the demo" for "carla@acme.example" due "2027-01-15" with priority "High" and details "Bring the slides"
    And <before>
    And SIA runs the task sync
    When in Salesforce the Task "Prepare the demo" gets the <field> "<value>"
    And SIA runs the task sync
    Then SIA's reminder task "Prepare the demo" has the <sia field> "<sia value>"

    Examples:
      | before                             | field       | value                   | sia field | sia value        |
      | SIA runs the task sync | status      | In Progress             | status    | Open             |
      | the seller completes the task "Prepare the demo" | status   | In Progress             | status    | Complete         |
      | the seller completes the task "Prepare the demo" | status   | Waiting on someone else | status    | Complete         |
      | the seller completes the task "Prepare the demo" | status   | Not Started             | status    | Open             |
      | SIA runs the task sync | priority    | Low                     | priority  | High             |
      | SIA runs the task sync | priority    | Normal                  | priority  | Normal           |
      | SIA runs the task sync | subject     | New subject             | name      | Prepare the demo |
      | SIA runs the task sync | due date    | 2027-02-01              | due date  | 2027-02-01       |
      | SIA runs the task sync | description | [1000 characters]       | details   | [1000 characters] |
      | SIA runs the task sync | description |                         | details   |                  |

  @T-FIRST-SYNC
  Scenario: Switching on imports the Salesforce tasks created or updated in the last 24 hours only
    Given Salesforce users made these Tasks (ages in hours, by Salesforce's clock):
      | subject              | person              | created | updated |
      | Two days old         | carla@acme.example  | 48      |         |
      | Just over a day old  | carla@acme.example  | 25      |         |
      | Just under a day old | carla@acme.example  | 23      |         |
      | An hour old          | lena@leadco.example | 1       |         |
      | Old but updated lately  | lena@leadco.example | 72      | 2       |
      | Old and updated a while ago | lena@leadco.example | 72      | 30      |
    When the setting "task_sync" is switched on
    And SIA runs the task sync
    Then SIA has exactly these reminder tasks: "Just under a day old, An hour old, Old but updated lately"

  @T-FIRST-SYNC
  Scenario: Switching on again is a first sync again
    Given the setting "task_sync" is on
    And SIA runs the task sync
    And the setting "task_sync" is switched off
    And Salesforce users made these Tasks (ages in hours, by Salesforce's clock):
      | subject          | person             | created |
      | Made while off   | carla@acme.example | 50      |
      | Made just now    | carla@acme.example | 2       |
    When the setting "task_sync" is switched on
    And SIA runs the task sync
    Then SIA has exactly these reminder tasks: "Made just now"

  @T-FIRST-SYNC
  Scenario: Switching on does not push tasks SIA already had, only those made afterwards
    Given the setting "task_sync" is off
    And a seller creates the reminder task "Made while off" for "carla@acme.example"
    When the setting "task_sync" is switched on
    And SIA runs the task sync
    And a seller creates the reminder task "Made while on" for "carla@acme.example"
    And the seller renames the task "Made while off" to "Made while off, renamed"
    And SIA runs every periodic sync
    Then Salesforce has a Task "Made while on" on the contact "carla@acme.example" with status "Not Started"
    And Salesforce has no Task "Made while off"
    And Salesforce has no Task "Made while off, renamed"

  @T-FIRST-SYNC
  Scenario: Switching on applies the Salesforce deletions of the last 15 days, and no older
    Given the setting "task_sync" is on
    And a seller creates the reminder task "Deleted 16 days ago" for "carla@acme.example"
    And a seller creates the reminder task "Deleted 14 days ago" for "carla@acme.example"
    And a seller creates the reminder task "Deleted 2 days ago" for "lena@leadco.example"
    And the setting "task_sync" is switched off
    When in Salesforce the Task "Deleted 16 days ago" is deleted
    And 2 days pass
    And in Salesforce the Task "Deleted 14 days ago" is deleted
    And 12 days pass
    And in Salesforce the Task "Deleted 2 days ago" is deleted
    And 2 days pass
    And the setting "task_sync" is switched on
    And SIA runs the task sync
    Then SIA has exactly these reminder tasks: "Deleted 16 days ago"
