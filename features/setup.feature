Feature: Setting up the data sync, and SIA's settings
  An admin starts the data sync after seeing the fields that will sync; nothing syncs
  before that. Every sync with Salesforce, and the Marketo Unsubscribe Check, is a switch
  in SIA's settings that takes effect on the next action, each way.

  @S-INITIATE
  Scenario: The admin is shown the 13 fields before starting the sync
    Given the data set "owner-filter" in Salesforce and Marketo
    When the admin opens the data sync set-up
    Then the fields shown are exactly the 13 synced fields
    And SIA has no people

  @S-INITIATE
  Scenario Outline: No periodic sync copies anyone before the admin starts the data sync
    Given the data set "owner-filter" in Salesforce and Marketo
    And the setting "<setting>" is on
    And in Salesforce the lead "lena@leadco.example" opts out of email
    When SIA runs <sync> before the data sync is started
    And SIA runs <sync> before the data sync is started
    Then SIA has no people
    When the admin starts the data sync
    Then SIA has the person "carla@acme.example"

    Examples:
      | setting          | sync                 |
      | unsubscribe_sync | the incremental sync |
      | unsubscribe_sync | every periodic sync  |
      | unsubscribe_sync | the unsubscribe sync |
      | task_sync        | the task sync        |
      | task_sync        | every periodic sync  |

  @S-SETTINGS
  Scenario: Every switch is listed with its default
    Then SIA's settings list these switches:
      | setting                   | default |
      | email_logging             | on      |
      | call_logging              | on      |
      | task_sync                 | off     |
      | unsubscribe_sync          | on      |
      | marketo_unsubscribe_check | off     |

  @S-SETTINGS
  Scenario: A switch refuses what is neither on nor off, and keeps its value
    When an admin sets the setting "task_sync" to "maybe"
    Then the request is refused with a clear error
    And the setting "task_sync" is still off

  @S-SETTINGS
  Scenario: Email logging takes effect on the next send, switched off and back on
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    When a seller sends the sales email "First" to "carla@acme.example"
    And the setting "email_logging" is switched off
    Then the setting "email_logging" is off
    When a seller sends the sales email "Second" to "carla@acme.example"
    And the setting "email_logging" is switched on
    And a seller sends the sales email "Third" to "carla@acme.example"
    Then Salesforce has 2 Tasks on the contact "carla@acme.example"

  @S-SETTINGS
  Scenario: Call logging takes effect on the next call, switched off and back on
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    When the setting "call_logging" is switched off
    And a seller logs a completed call of 10 seconds with "lena@leadco.example"
    Then Salesforce has no Task on the lead "lena@leadco.example"
    When the setting "call_logging" is switched on
    And a seller logs a completed call of 20 seconds with "lena@leadco.example"
    And the setting "call_logging" is switched off
    And a seller logs a completed call of 30 seconds with "lena@leadco.example"
    Then Salesforce has 1 Task on the lead "lena@leadco.example"

  @S-SETTINGS
  Scenario: Unsubscribe Sync takes effect on the next unsubscribe, switched off and back on
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    When "carla@acme.example" unsubscribes in SIA
    And the setting "unsubscribe_sync" is switched off
    And "lena@leadco.example" unsubscribes in SIA
    And the setting "unsubscribe_sync" is switched on
    And "sam@syncco.example" unsubscribes in SIA
    Then the Salesforce contact "carla@acme.example" has opted out of email
    And the Salesforce lead "lena@leadco.example" has not opted out of email
    And the Salesforce lead "sam@syncco.example" has opted out of email

  @S-SETTINGS
  Scenario: Task sync takes effect on the next task, switched on, off and on again
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    When the setting "task_sync" is switched on
    And a seller creates the reminder task "First" for "carla@acme.example"
    And the setting "task_sync" is switched off
    And a seller creates the reminder task "Second" for "carla@acme.example"
    And the setting "task_sync" is switched on
    And a seller creates the reminder task "Third" for "carla@acme.example"
    Then Salesforce has a Task "First" on the contact "carla@acme.example" with status "Not Started"
    And Salesforce has no Task "Second"
    And Salesforce has a Task "Third" on the contact "carla@acme.example" with status "Not Started"

  @S-SETTINGS @U-MARKETO-CHECK
  Scenario: The Marketo Unsubscribe Check takes effect on the next send, switched on and back off
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync
    When a seller sends the sales email "First" to "lena@leadco.example"
    Then the send did not ask Marketo whether anyone is unsubscribed
    When the setting "marketo_unsubscribe_check" is switched on
    And a seller sends the sales email "Second" to "lena@leadco.example"
    Then the send asked Marketo exactly once whether "lena@leadco.example" is unsubscribed
    When the setting "marketo_unsubscribe_check" is switched off
    And a seller sends the sales email "Third" to "lena@leadco.example"
    Then the send did not ask Marketo whether anyone is unsubscribed
